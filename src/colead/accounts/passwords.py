"""Setting or resetting a password by email: "Forgotten your password?" on the sign-in page.

Built on Django's password-reset views (signed, single-use links that expire after
``PASSWORD_RESET_TIMEOUT``). Two differences from Django's defaults:

- An account made for a newcomer by an organisation admin (``services.grant_role``) has no
  password yet; this is how they set their first one, so such accounts may ask for a link.
- The link is built from ``COLEAD_BASE_URL``, never from the request's Host header, and the
  email is plain text composed here. Requests are limited per client address, and the page
  says the same whether or not the address has an account.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMessage
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy

from colead.accounts.models import User
from colead.audit.services import record
from colead.core import ratelimit
from colead.core.actor import Actor

REQUESTS_PER_WINDOW = 5
WINDOW_SECONDS = 15 * 60


def link_lifetime_text() -> str:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"


class ResetRequestForm(PasswordResetForm):
    def get_users(self, email):
        # Unlike Django's form, accounts without a usable password may ask: an account an
        # admin made has none until its owner sets one through this link.
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        link = settings.COLEAD_BASE_URL.rstrip("/") + reverse(
            "accounts:password_reset_confirm", args=[context["uid"], context["token"]]
        )
        body = (
            "Someone asked to set a new password for the colead account of "
            f"{context['email']}.\n\n"
            f"To choose your password, open this link (it works once, for "
            f"{link_lifetime_text()}):\n{link}\n\n"
            "If you did not ask for this, ignore this email: your password has not changed.\n"
        )
        EmailMessage(subject="Set your colead password", body=body, to=[context["email"]]).send()


def _as(user, request) -> Actor:
    """The account's owner as the actor, from the request's address: asking for a link or
    choosing a password happens before (and without) signing in."""
    return Actor.from_request(request, user=user)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.jinja"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        allowed, _ = ratelimit.allow(
            self.request, scope="password-reset", limit=REQUESTS_PER_WINDOW, window=WINDOW_SECONDS
        )
        if not allowed:
            # The same reply as for any request: nothing tells a prober they were stopped.
            return HttpResponseRedirect(self.get_success_url())
        base = urlsplit(settings.COLEAD_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            request=self.request,
        )
        for user in form.get_users(form.cleaned_data["email"]):
            record(action="auth.password_reset_requested", actor=_as(user, self.request))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.jinja"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "lifetime": link_lifetime_text()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.jinja"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["error_list"] = [
            {"text": message, "href": f"#id_{name}"}
            for name, messages in (form.errors.items() if form is not None else ())
            for message in messages
        ]
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        record(action="auth.password_set", actor=_as(form.user, self.request))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.jinja"
