from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from colead.accounts import queries, throttle
from colead.accounts.permissions import roles_in
from colead.audit.services import record
from colead.core.actor import Actor


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.jinja"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Password spraying: too many failures from this address, whatever the account.
        if throttle.address_paused(request):
            context = {
                "address_paused": True,
                "pause_minutes": max(1, settings.COLEAD_SIGN_IN_ADDRESS_WINDOW // 60),
            }
            return TemplateResponse(request, "accounts/locked_out.jinja", context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        actor = Actor.from_request(self.request, user=form.get_user())
        record(action="auth.sign_in", actor=actor)
        return response


class SignOutView(auth_views.LogoutView):
    """GET shows a confirmation with a CSRF-protected button; POST signs out."""

    template_name = "accounts/logout.jinja"
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.shortcuts import redirect

            return redirect("accounts:login")
        return TemplateResponse(request, "accounts/logout_confirm.jinja", {})


@login_required
def profile(request):
    """The signed-in user's own profile: their roles, and their staff record in each
    organisation, with protected characteristics (only ever shown to them and admins)."""
    own = queries.own_profile(Actor.from_request(request))
    context = {
        "assignments": own.assignments,
        "people": own.people,
        "protected": own.protected,
        "roles": roles_in(request.user, request.organisation) if request.organisation else set(),
        "breadcrumbs": [{"text": "Home", "href": "/"}],
    }
    return TemplateResponse(request, "accounts/profile.jinja", context)
