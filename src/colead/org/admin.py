from django.contrib import admin

from colead.accounts.admin_site import OrgScopedAdmin, admin_site
from colead.org.models import LeadershipPost, Organisation, Person, Unit


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(OrgScopedAdmin):
    organisation_field = "pk"
    list_display = ["code", "name", "sector"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        from colead.accounts.admin_site import admin_organisation_ids

        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=admin_organisation_ids(request.user))

    def _allowed(self, request, obj=None):
        from colead.accounts.admin_site import admin_organisation_ids

        if request.user.is_superuser:
            return True
        ids = admin_organisation_ids(request.user)
        return bool(ids) and (obj is None or obj.pk in ids)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _audit(self, request, obj, action):
        from colead.audit.services import record
        from colead.core.actor import Actor

        record(action=action, actor=Actor.from_request(request), organisation=obj, obj=obj)


@admin.register(Unit, site=admin_site)
class UnitAdmin(OrgScopedAdmin):
    list_display = ["code", "name", "level", "parent", "site", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Person, site=admin_site)
class PersonAdmin(OrgScopedAdmin):
    list_display = [
        "employee_number",
        "first_name",
        "last_name",
        "primary_unit",
        "band",
        "is_leader",
    ]
    list_filter = ["staff_group", "is_leader"]
    search_fields = ["employee_number", "first_name", "last_name", "email"]
    autocomplete_fields = ["primary_unit", "line_manager"]
    exclude = ["teams"]


@admin.register(LeadershipPost, site=admin_site)
class LeadershipPostAdmin(OrgScopedAdmin):
    list_display = ["title", "level", "unit", "holder", "is_interim", "is_critical"]
    list_filter = ["level", "is_interim", "is_critical"]
    search_fields = ["title"]
    autocomplete_fields = ["unit", "holder"]
