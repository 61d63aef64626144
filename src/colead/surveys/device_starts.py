"""How many starts a ward's shared link allows from one client: the take page and the API
count in the same entries, so they share one allowance."""

from django.conf import settings

from colead.core import ratelimit
from colead.surveys.models import DeviceLink


def allow_device_start(request, link: DeviceLink) -> tuple[bool, int]:
    """(allowed, seconds until the window ends) for one more start through a shared link from
    this client: ``COLEAD_DEVICE_START_LIMIT`` (30) per ``COLEAD_DEVICE_START_WINDOW`` (600 s).
    The page and the API count in the same entries, so they share one allowance."""
    return ratelimit.allow(
        request,
        scope=f"take:device-start:{link.pk}",
        limit=getattr(settings, "COLEAD_DEVICE_START_LIMIT", 30),
        window=getattr(settings, "COLEAD_DEVICE_START_WINDOW", 10 * 60),
    )
