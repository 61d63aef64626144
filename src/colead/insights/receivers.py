"""Insights' answers to events of the apps below it (connected in ``InsightsConfig.ready``)."""

from colead.insights.services import store_wave_scores


def score_final_responses(sender, *, wave, actor, **kwargs):
    """A closed wave's responses are final or changed: store its scores now, in the same
    transaction (``colead.surveys.signals.responses_final``)."""
    store_wave_scores(wave=wave, actor=actor)
