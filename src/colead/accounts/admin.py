from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ModelAdmin

from colead.accounts import services
from colead.accounts.admin_site import OrgScopedAdmin, admin_organisation_ids, admin_site
from colead.accounts.models import RoleAssignment, User
from colead.core.actor import Actor


class GrantRoleForm(forms.ModelForm):
    """Adding a role: the person is named by the email address they sign in with, so an
    organisation admin can give a newcomer their first role without seeing anyone else's
    account. Their account is made if there is none (``services.grant_role``)."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address they sign in with (their NHSmail address where sign-in uses "
        "NHSmail). An account is made for them if they have none yet.",
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        required=False,
        help_text="Used only when a new account is made.",
    )

    class Meta:
        model = RoleAssignment
        fields = ["email", "full_name", "organisation", "role", "unit", "person"]

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if organisation is None:
            return cleaned
        for name in ("unit", "person"):
            related = cleaned.get(name)
            if related is not None and related.organisation_id != organisation.pk:
                self.add_error(
                    name,
                    f"This {name} belongs to another organisation. Choose one of "
                    f"{organisation.name}'s, or leave it blank.",
                )
        email = cleaned.get("email")
        if email and not self.errors:
            exists = RoleAssignment.objects.filter(
                user__email__iexact=services.normalise_email(email),
                organisation=organisation,
                role=cleaned.get("role"),
                unit=cleaned.get("unit"),
            ).exists()
            if exists:
                raise forms.ValidationError(
                    "This person already holds this role over this unit. Edit that role "
                    "instead, or choose another role or unit."
                )
        return cleaned


@admin.register(RoleAssignment, site=admin_site)
class RoleAssignmentAdmin(OrgScopedAdmin):
    list_display = ["user", "organisation", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__email"]
    autocomplete_fields = ["unit", "person"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = GrantRoleForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return GrantRoleForm.Meta.fields
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        assignment, created = services.grant_role(
            email=data["email"],
            full_name=data.get("full_name", ""),
            organisation=data["organisation"],
            role=data["role"],
            unit=data.get("unit"),
            person=data.get("person"),
            actor=Actor.from_request(request),
        )
        # The admin goes on with ``obj`` (its history entry, the redirect): make it the row.
        obj.pk, obj.user, obj.created_at = assignment.pk, assignment.user, assignment.created_at
        obj._state.adding = False
        if created:
            messages.info(
                request,
                f"An account was made for {assignment.user.email}. They sign in with your "
                "organisation's sign-in service (NHSmail), or choose a password through "
                '"Forgotten your password, or never set one?" on the sign-in page.',
            )

    def log_addition(self, request, obj, message):
        # grant_role has written the audit event; keep only Django's own history entry.
        return ModelAdmin.log_addition(self, request, obj, message)

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
