"""The caller, and the organisations they hold roles in."""

from ninja import Router

from colead.accounts import queries as accounts_queries
from colead.accounts.roles import Permission
from colead.api.access import SIGNED_IN, access, requires
from colead.api.schemas import ERRORS, MeOut, OrganisationOut, OrganisationRolesOut, OrgCode
from colead.core.actor import Actor
from colead.org import queries, reference

router = Router(tags=["Organisations"])


@router.get(
    "/me",
    response={200: MeOut, 401: ERRORS[401]},
    summary="Who am I",
    operation_id="me",
)
@requires(SIGNED_IN)
def me(request):
    """The signed-in caller: their email, name, and their roles in each organisation."""
    user = request.auth
    return {
        "email": user.email,
        "full_name": user.full_name,
        "organisations": accounts_queries.roles_by_organisation(user),
    }


@router.get(
    "/organisations",
    response={200: list[OrganisationRolesOut], 401: ERRORS[401]},
    summary="List my organisations",
    operation_id="list_organisations",
)
@requires(SIGNED_IN)
def list_organisations(request):
    """The organisations where the caller holds any role, with those roles."""
    return accounts_queries.roles_by_organisation(request.auth)


@router.get(
    "/organisations/{org_code}",
    response={200: OrganisationOut, **ERRORS},
    summary="Get an organisation",
    operation_id="get_organisation",
)
@requires(Permission.ORG_VIEW)
def get_organisation(request, org_code: OrgCode):
    """One organisation, with the caller's roles there and summary counts.

    The summary (headcounts by staff group and band, units by level, leaders) is given to
    callers who may see the whole organisation's structure; leadership post counts only to
    those who may also see leadership posts organisation-wide."""
    granted = access(request)
    organisation = granted.organisation
    (entry,) = accounts_queries.roles_by_organisation(granted.user, organisation)
    return {
        **entry,
        "sector_name": reference.SECTORS.get(organisation.sector, organisation.sector),
        "summary": queries.summary(Actor.from_request(request, source="api"), organisation),
    }
