"""Background jobs for insights (django-tasks; run by ``colead db_worker`` in production, at
once in development).

Fitting a wave's comment themes takes a few tenths of a second, and about 2 s more the first
time a process loads scikit-learn. ``store_wave_scores`` queues ``fit_wave_themes`` once a closed
wave's scores are committed, so the first person to open a unit page does not wait for it.
The fitted themes go into Django's cache without the comments' text
(``unit_results.wave_themes``); for web processes to share them, set
``CACHE_BACKEND=database`` (as for any deployment with several workers)."""

from django_tasks import task

from colead.insights import unit_results
from colead.surveys.models import Wave, WaveStatus
from colead.surveys.services import wave_instruments


@task()
def fit_wave_themes(wave_id: int) -> int:
    """Fit and keep a closed wave's comment themes; returns the number of comments (0 when
    the wave is not closed or asked nothing in free text)."""
    wave = Wave.objects.filter(pk=wave_id, status=WaveStatus.CLOSED).first()
    if wave is None:
        return 0
    instruments = wave_instruments(wave)
    asks = any(
        item.type == "free_text" and not item.demographic
        for instrument in instruments
        for item in instrument.items
    )
    if not asks:
        return 0
    records = unit_results.comment_records(wave, instruments)
    if records:
        unit_results.wave_themes(wave, records)
    return len(records)
