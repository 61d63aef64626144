"""OpenID Connect sign-in (NHSmail / Entra ID), used only when OIDC_ENABLED is set.

Only existing users sign in this way: an organisation admin gives someone a role first,
and the identity provider's verified email address is matched to that user."""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class ColeadOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or claims.get("preferred_username") or "").lower()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)
