import secrets

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


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: scripts only from us, plus the NHS.UK page
    template's one inline script, allowed by a per-request nonce."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{request.csp_nonce}'; "
                "style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
                "connect-src 'self'; object-src 'none'; base-uri 'self'; "
                "form-action 'self'; frame-ancestors 'none'"
            )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
