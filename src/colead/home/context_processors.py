"""What every page's layout needs: the header's navigation and account links."""

from django.conf import settings
from django.urls import reverse

from colead.accounts.permissions import permitted_scopes
from colead.accounts.roles import Permission
from colead.home import todo

# (label, url name, permission needed; None = any signed-in user). A permission in
# WHOLE_ORGANISATION must be held over the whole organisation, not only over some units.
NAVIGATION = [
    ("Home", "home:home", None),
    ("To do", "home:to_do", None),
    ("Organisation", "org:tree", Permission.ORG_VIEW),
    ("Objectives", "direction:thread", Permission.ORG_VIEW),
    ("Coverage", "direction:coverage", Permission.OBJECTIVES_VIEW),
    ("Surveys", "surveys:wave_list", Permission.SURVEY_RATES_VIEW),
    # every member of staff sees the organisation's and their own units' results
    ("Results", "insights:index", (Permission.RESULTS_VIEW, Permission.RESULTS_VIEW_OWN)),
    ("Imports", "org:import_index", Permission.WORKFORCE_IMPORT),
    ("Audit log", "audit:list", Permission.AUDIT_VIEW),
    ("Admin", "admin:index", Permission.ADMIN_ACCESS),
]


# The coverage dashboard is for those who see every objective (board, OD leads, admins).
WHOLE_ORGANISATION = {"direction:coverage"}


def _may_see(user, organisation, url_name, permission) -> bool:
    if permission is None:
        return True
    if organisation is None:
        return False
    held = permission if isinstance(permission, tuple) else (permission,)
    scopes = [scope for one in held for scope in permitted_scopes(user, one, organisation)]
    return scopes == [None] if url_name in WHOLE_ORGANISATION else bool(scopes)


def navigation_for(request) -> list[dict]:
    user = request.user
    organisation = getattr(request, "organisation", None)
    items = []
    for label, url_name, permission in NAVIGATION:
        if url_name == "home:to_do":
            if organisation is None:
                continue
            # What waits, counted with narrow queries on every page (or taken from the list
            # when the home or to-do page has read it).
            waiting = todo.count_for_request(request)
            label = f"To do ({waiting})" if waiting else label
        elif not _may_see(user, organisation, url_name, permission):
            continue
        items.append({"text": label, "href": reverse(url_name)})
    # The current section is the item whose address is the longest prefix of this page's
    # (so /org/imports/ marks "Imports", not "Organisation").
    matches = [
        item
        for item in items
        if request.path == item["href"]
        or (item["href"] != "/" and request.path.startswith(item["href"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["href"]))["current"] = True
    return items


def layout(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "navigation_items": [],
            "account_items": [],
            "csp_nonce": getattr(request, "csp_nonce", ""),
            "oidc_enabled": settings.OIDC_ENABLED,
        }
    account_items = [
        {"href": reverse("accounts:profile"), "text": user.get_full_name(), "icon": True},
    ]
    if len(getattr(request, "organisations", [])) > 1:
        account_items.append(
            {"href": reverse("home:choose_organisation"), "text": "Switch organisation"}
        )
    account_items.append({"href": reverse("accounts:logout"), "text": "Sign out"})
    return {
        # An htmx fragment draws no header: nothing to count.
        "navigation_items": [] if request.headers.get("HX-Request") else navigation_for(request),
        "account_items": account_items,
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
