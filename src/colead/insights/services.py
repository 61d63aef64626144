"""Writes for insights: scoring a wave's responses once and storing them compactly.

``store_wave_scores`` runs inside the transaction that makes a wave's responses final or changes
them (closing the wave, importing responses into a closed wave, ``colead waves rescore
WAVE``), on surveys' ``responses_final`` signal (``receivers.py``). It reads the
wave's responses, codes them with the pure engine (``engine.compute_wave_scores``),
and replaces the wave's ``WaveScores`` row. Results (``insights.results``) are computed from
that row only.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.utils import timezone

from colead.audit.services import record
from colead.core.actor import Actor
from colead.insights import storage
from colead.insights.models import WaveScores
from colead.lib.errors import Conflict
from colead.surveys.definitions import DEMOGRAPHIC_FIELDS
from colead.surveys.models import Response, Wave
from colead.surveys.services import wave_instruments


def scheme_of(wave: Wave):
    """The wave's scoring scheme (from its instruments, which never change after launch)."""
    from colead.insights import scoring

    return scoring.scoring_scheme(wave_instruments(wave))


def scored_from_responses(wave: Wave, scheme=None):
    """A ``ScoredWave`` of the wave's stored responses: answer codes, reporting units, and
    every demographic breakdown the responses carry (staff group, band...).

    Responses are read in reporting-unit order, then by their random ids, so the stored rows
    keep no trace of the order of submission."""
    from colead.insights import engine, scoring

    scheme = scheme or scheme_of(wave)
    rows = (
        Response.objects.filter(wave=wave)
        .order_by("reporting_unit_id", "id")
        .values_list("reporting_unit_id", "demographics", "answers")
        .iterator(chunk_size=5000)
    )
    records = [
        {"unit": unit_id, "demographics": demographics or {}, "answers": answers or {}}
        for unit_id, demographics, answers in rows
    ]
    label = str(wave.pk)
    if not records:
        return engine.ScoredWave(
            scheme,
            scoring.empty_codes(0, len(scheme.items)),
            np.zeros(0, dtype=np.int64),
            {},
            label,
        )
    frame = engine.responses_frame(records)
    breakdowns = [name for name in DEMOGRAPHIC_FIELDS if name in frame.columns]
    return engine.compute_wave_scores(scheme, frame, breakdowns=breakdowns, wave=label)


def store_wave_scores(*, wave: Wave, actor: Actor) -> WaveScores:
    """Score a launched wave's responses and store them (replacing any earlier scores), in
    one transaction with an audit event. Returns the stored row. Reads never call this:
    a wave is scored when its responses become final (``receivers.py``)."""
    if wave.is_draft:
        raise Conflict(f"{wave.title} is a draft: it has no responses to score.")
    with transaction.atomic():
        scheme = scheme_of(wave)
        scored = scored_from_responses(wave, scheme)
        data = storage.pack(scored)
        scores, _ = WaveScores.objects.update_or_create(
            wave=wave,
            defaults={
                "organisation_id": wave.organisation_id,
                "scored_at": timezone.now(),
                "respondents": scored.respondents,
                "items": len(scheme.items),
                "format": storage.FORMAT,
                "data": data,
            },
        )
        record(
            action="insights.wave_score",
            actor=actor,
            organisation=wave.organisation,
            obj=wave,
            detail={
                "respondents": scored.respondents,
                "items": len(scheme.items),
                "breakdowns": sorted(scored.breakdowns),
                "bytes": len(data),
            },
        )
        if wave.is_closed:
            # Comment themes for the unit pages, fitted in the background once this commits.
            from colead.insights.tasks import fit_wave_themes

            transaction.on_commit(lambda: fit_wave_themes.enqueue(wave.pk))
    return scores
