"""What the results pages share: finding a closed wave the viewer may see, and breadcrumbs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from colead.insights import results as rs
from colead.surveys.models import Wave, WaveStatus


def closed_wave(request, wave_id: int, scopes) -> Wave:
    wave = (
        Wave.objects.for_org(request.organisation)
        .select_related("organisation")
        .filter(pk=wave_id, status=WaveStatus.CLOSED)
        .first()
    )
    if wave is None:
        raise Http404("No closed wave with that id.")
    if None not in scopes:
        targets = wave.target_units.values_list("path", flat=True)
        if not rs.overlaps(targets, scopes):
            raise PermissionDenied
    return wave


def crumbs() -> list[dict]:
    return [
        {"text": "Home", "href": reverse("home:home")},
        {"text": "Results", "href": reverse("insights:index")},
    ]
