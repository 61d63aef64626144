from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from colead.accounts.middleware import SESSION_ORG_KEY
from colead.accounts.roles import ROLE_DESCRIPTIONS, Role
from colead.core.actor import Actor
from colead.direction import queries as direction_queries
from colead.direction.presenters import vision_summary
from colead.home import todo
from colead.home.headline import headline
from colead.lib import memory
from colead.org import queries

# Migrations, once applied, stay applied for the life of the process: the health check
# builds the migration graph until it first finds none pending, then only pings the database
# (building the graph costs milliseconds and a load balancer probes every few seconds).
_CONFIRMED: set[str] = memory.register(set(), f"{__name__}._CONFIRMED")  # {"migrations"}


def _migrations_applied() -> bool:
    if "migrations" not in _CONFIRMED:
        executor = MigrationExecutor(connection)
        if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
            _CONFIRMED.add("migrations")
    return "migrations" in _CONFIRMED


def healthz(request):
    """Liveness and readiness for load balancers: database reachable, migrations applied."""
    database_ok = True
    migrations_applied = False
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        migrations_applied = _migrations_applied()
    except DatabaseError:
        database_ok = False
    healthy = database_ok and migrations_applied
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": "ok" if database_ok else "unreachable",
            "migrations_applied": migrations_applied,
        },
        status=200 if healthy else 503,
    )


@login_required
def home(request):
    organisation = request.organisation
    if organisation is None:
        return TemplateResponse(request, "home/no_organisation.jinja", {}, status=403)
    actor = Actor.from_request(request)
    seen = queries.home(actor, organisation)
    context = {
        "roles": sorted((role.label, ROLE_DESCRIPTIONS[role]) for role in seen.roles),
        "own_person": seen.own_person,
        "is_admin": Role.ORG_ADMIN in seen.roles,
        "sees_whole_org": seen.sees_whole_org,
        "managed_units": seen.managed_units,
        "summary": seen.summary,
        # The board's approved vision, on every member of staff's home page: the direction
        # each person's objectives should serve.
        "vision": vision_summary(direction_queries.current_vision(organisation)),
        "to_do": todo.for_request(request),
        # The board's headline, for those who see the whole organisation.
        "headline": headline(actor, organisation) if seen.sees_whole_org else None,
    }
    return TemplateResponse(request, "home/home.jinja", context)


@login_required
def to_do(request):
    """What waits for the signed-in person: objectives to agree, check-ins due..."""
    if request.organisation is None:
        return TemplateResponse(request, "home/no_organisation.jinja", {}, status=403)
    sections = todo.for_request(request)
    return TemplateResponse(
        request, "home/to_do.jinja", {"sections": sections, "count": todo.count(sections)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def choose_organisation(request):
    if request.method == "POST":
        wanted = request.POST.get("organisation")
        for organisation in request.organisations:
            if str(organisation.pk) == wanted:
                request.session[SESSION_ORG_KEY] = organisation.pk
                return redirect("home:home")
        raise PermissionDenied
    return TemplateResponse(request, "home/choose_organisation.jinja", {})


def accessibility(request):
    return TemplateResponse(request, "home/accessibility.jinja", {})


def privacy(request):
    return TemplateResponse(request, "home/privacy.jinja", {})


def permission_denied(request, exception=None):
    # A read's Refused says why (core.pages passes its message on); Django's own refusals
    # carry no message, and get the general advice.
    reason = str(exception) if exception is not None else ""
    return TemplateResponse(request, "home/403.jinja", {"reason": reason}, status=403).render()


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        # API clients get JSON, in the API's error shape, never an HTML page.
        return JsonResponse(
            {"detail": "Not found. See /api/v1/docs for the paths this API has."}, status=404
        )
    return TemplateResponse(request, "home/404.jinja", {}, status=404).render()
