"""Events surveys announces to the apps above it (surveys never imports them).

``responses_final`` is sent inside the transaction that makes a wave's responses final or
changes them once final: closing the wave, importing responses into a closed wave, and
``colead waves rescore``. Insights listens and stores the wave's scores in the same
transaction (``colead.insights.receivers``), so results never lag behind the responses and a
failure to score undoes the close or the import.

Arguments: ``wave`` (a closed ``Wave``) and ``actor`` (a ``colead.core.actor.Actor``).
"""

from django.dispatch import Signal

responses_final = Signal()


def announce_responses_final(*, wave, actor) -> None:
    responses_final.send(sender=type(wave), wave=wave, actor=actor)
