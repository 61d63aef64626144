"""The Django admin, opened to organisation admins and scoped to their organisations.

Platform superusers see everything; an organisation admin (role ORG_ADMIN) sees and edits
only rows of the organisations where they hold that role. Every change is audited."""

from django.contrib import admin

from colead.accounts.permissions import _assignments
from colead.accounts.roles import ROLE_PERMISSIONS, Permission, Role


def admin_organisation_ids(user) -> set[int]:
    return {
        a.organisation_id
        for a in _assignments(user)
        if Permission.ADMIN_ACCESS in ROLE_PERMISSIONS[Role(a.role)]
    }


class ColeadAdminSite(admin.AdminSite):
    site_header = "colead administration"
    site_title = "colead admin"
    index_title = "Organisation records"

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or bool(admin_organisation_ids(user))


admin_site = ColeadAdminSite(name="admin")


class OrgScopedAdmin(admin.ModelAdmin):
    """Rows limited to the admin's organisations; full rights within them."""

    organisation_field = "organisation"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.organisation_field}__in": admin_organisation_ids(request.user)})

    def _allowed(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if not admin_organisation_ids(request.user):
            return False
        if obj is None:
            return True
        org_id = obj
        for part in self.organisation_field.split("__"):
            org_id = getattr(org_id, part)
        return org_id.pk in admin_organisation_ids(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only related rows of the admin's own organisations (no forged ids).
        related = db_field.related_model
        if not request.user.is_superuser and hasattr(related, "organisation"):
            kwargs["queryset"] = related._default_manager.filter(
                organisation__in=admin_organisation_ids(request.user)
            )
        elif not request.user.is_superuser and related._meta.label == "org.Organisation":
            kwargs["queryset"] = related._default_manager.filter(
                pk__in=admin_organisation_ids(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "admin.add")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "admin.change")
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "admin.delete")
        return super().log_deletions(request, queryset)

    def _audit(self, request, obj, action):
        from colead.audit.services import record
        from colead.core.actor import Actor

        organisation = obj
        for part in self.organisation_field.split("__"):
            organisation = getattr(organisation, part, None)
        record(action=action, actor=Actor.from_request(request), organisation=organisation, obj=obj)
