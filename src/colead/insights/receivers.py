"""Insights' answers to events of the apps below it (connected in ``InsightsConfig.ready``)."""

from colead.insights.services import score_wave


def score_final_responses(sender, *, wave, actor, request=None, **kwargs):
    """A closed wave's responses are final or changed: store its scores now, in the same
    transaction (``colead.surveys.signals.responses_final``)."""
    score_wave(wave=wave, actor=actor, request=request)
