from django.contrib import admin

from colead.accounts.admin_site import OrgScopedAdmin, admin_organisation_ids, admin_site
from colead.accounts.models import RoleAssignment, User


@admin.register(RoleAssignment, site=admin_site)
class RoleAssignmentAdmin(OrgScopedAdmin):
    list_display = ["user", "organisation", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__email"]
    autocomplete_fields = ["unit", "person"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Users are platform-wide: an organisation admin may pick only users who already
        # hold a role in one of their organisations, never list everyone's email address.
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = (
                User.objects.filter(
                    role_assignments__organisation__in=admin_organisation_ids(request.user)
                )
                .distinct()
                .order_by("email")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User, site=admin_site)
class UserAdmin(admin.ModelAdmin):
    """Users are platform-wide: only platform superusers manage them here."""

    list_display = ["email", "full_name", "is_active", "last_login"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "groups", "user_permissions"]
    readonly_fields = ["last_login", "date_joined"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
