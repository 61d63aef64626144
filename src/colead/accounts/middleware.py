from colead.accounts.permissions import organisations_of

SESSION_ORG_KEY = "colead_organisation_id"


class CurrentOrganisationMiddleware:
    """Sets ``request.organisation``: the organisation the signed-in user is working in.
    A user with roles in several organisations picks one (stored in the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        request.organisations = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            organisations = organisations_of(user)
            request.organisations = organisations
            chosen = request.session.get(SESSION_ORG_KEY)
            request.organisation = next(
                (org for org in organisations if org.pk == chosen),
                organisations[0] if organisations else None,
            )
        return self.get_response(request)
