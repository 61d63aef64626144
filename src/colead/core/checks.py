"""System checks of colead's own settings, run by `colead check` (``--deploy`` for those that
matter only on a server people use)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind


def _is_local(host: str) -> bool:
    return host in LOCAL_HOSTS or host.endswith(".localhost") or host.startswith("127.")


@register(Tags.security, deploy=True)
def base_url_is_public(app_configs=None, **kwargs):
    """Every link colead emails (survey invitations, password links) and prints (QR posters)
    is built from COLEAD_BASE_URL: a server must name its own public address."""
    base_url = settings.COLEAD_BASE_URL
    parts = urlsplit(base_url)
    if not base_url or parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            Error(
                f"COLEAD_BASE_URL is {base_url!r}, not the address people use to reach colead.",
                hint="Set COLEAD_BASE_URL=https://colead.example.nhs.uk (your own address): "
                "survey invitations, device links, QR posters and password links use it.",
                id="colead.E001",
            )
        ]
    if _is_local(parts.hostname):
        return [
            Error(
                f"COLEAD_BASE_URL is {base_url}, which only this machine can reach: staff would "
                "be emailed links to localhost.",
                hint="Set COLEAD_BASE_URL=https://colead.example.nhs.uk (your own address).",
                id="colead.E001",
            )
        ]
    if parts.scheme != "https":
        return [
            Warning(
                f"COLEAD_BASE_URL is {base_url}: links in emails would not use HTTPS.",
                hint="Serve colead over HTTPS and set COLEAD_BASE_URL=https://...",
                id="colead.W001",
            )
        ]
    return []
