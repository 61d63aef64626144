"""Closed waves for the drivers, reliability and breakdown tests: ballots whose answers go
together (each person has a general mood, as real respondents do, so drivers and alpha are
meaningful), with any demographics, and helpers that read the stored responses back and
score them directly, independently of the results service."""

import random
from datetime import date

import numpy as np

from colead.insights import scoring
from colead.org.models import Unit
from colead.surveys import services
from colead.surveys.models import Ballot, Response, ResponseSource
from tests.integration.insights_fixtures import INSTRUMENTS, answers_for
from tests.integration.waves_fixtures import make_wave


def add_mood_ballots(wave, unit_code: str, count: int, *, seed=0, demographics=None):
    """``count`` ballots in ``unit_code``; person ``i`` has a mood between −1 and 1 and the
    demographics ``demographics(i)`` (a dict; none by default)."""
    rng = random.Random(f"{seed}-{unit_code}-{count}")
    instruments = services.wave_instruments(wave)
    unit = Unit.objects.get(organisation=wave.organisation, code=unit_code)
    Ballot.objects.bulk_create(
        [
            Ballot(
                wave=wave,
                reporting_unit=unit,
                submitted_on=date.today(),
                demographics=demographics(i) if demographics else {},
                answers=answers_for(instruments, rng, rng.uniform(-1.0, 1.0)),
                source=ResponseSource.DEVICE,
            )
            for i in range(count)
        ]
    )


def mood_wave(trust, counts: dict, *, threshold=5, title="Spring results", demographics=None, **kw):
    """A wave over the whole test trust with ``counts`` mood ballots per unit code, closed
    (which scores it)."""
    wave = make_wave(
        trust,
        units=("TST1-ROOT",),
        threshold=threshold,
        title=title,
        instruments=kw.pop("instruments", INSTRUMENTS),
        launch=True,
    )
    for code, count in counts.items():
        add_mood_ballots(wave, code, count, seed=kw.get("seed", 0), demographics=demographics)
    return services.close_wave(wave=wave, actor=None)


def stored_scores(wave):
    """(scheme, unit code per respondent, item scores, dimension scores, option numbers)
    straight from the wave's stored responses."""
    scheme = scoring.scoring_scheme(services.wave_instruments(wave))
    rows = list(Response.objects.filter(wave=wave).values_list("reporting_unit__code", "answers"))
    codes = scoring.encode_answers(scheme, [answers for _, answers in rows])
    units = np.array([code for code, _ in rows])
    return (
        scheme,
        units,
        scoring.item_scores(scheme, codes, np.float64),
        scoring.dimension_scores(scheme, codes),
        codes,
    )
