"""Closed waves for the drivers, reliability and breakdown tests: ballots whose answers go
together (each person has a general mood, as real respondents do, so drivers and alpha are
meaningful), with any demographics, and helpers that read the stored responses back and
score them directly, independently of the results service."""

import random
from collections import Counter
from datetime import date

import numpy as np

from colead.core.actor import Actor
from colead.insights import scoring
from colead.org.models import Person, Unit
from colead.surveys import services
from colead.surveys.models import Ballot, Response, ResponseSource
from tests.factories import PersonFactory
from tests.integration.insights_fixtures import INSTRUMENTS, answers_for
from tests.integration.waves_fixtures import make_wave

# A workforce band in each "About you" band group, for people invited to match a ballot.
BAND_IN_GROUP = {
    "band_1_4": "band_3",
    "band_5_7": "band_5",
    "band_8_9": "band_8a",
    "medical": "consultant",
}


def invite_people_like(trust, counts: dict, *, demographics=None):
    """Add people to the test trust so that each unit of ``counts`` has, before launch, one
    person for each ballot ``add_mood_ballots`` will put there, whose workforce staff group
    and band agree with that ballot's answers, and at least 5 people in all. Closing a wave
    generalises each response until it matches 5 invited people (privacy.roster); the test
    trust's wards have 3 to 5 people, and without these the responses would move up to
    larger units or lose their answers. People already there count (a second wave adds
    nobody)."""
    for code, count in counts.items():
        unit = Unit.objects.get(organisation=trust["org"], code=code)
        wanted = Counter()
        for i in range(count):
            answers = demographics(i) if demographics else {}
            group = answers.get("staff_group", "nursing_midwifery_registered")
            wanted[group, BAND_IN_GROUP.get(answers.get("band"), "band_5")] += 1
        present = Counter(
            Person.objects.filter(primary_unit=unit).values_list("staff_group", "band")
        )
        missing = wanted - present
        short = 5 - sum(present.values()) - missing.total()
        if short > 0:
            missing["nursing_midwifery_registered", "band_5"] += short
        for (group, band), number in missing.items():
            for _ in range(number):
                PersonFactory(
                    organisation=trust["org"], primary_unit=unit, staff_group=group, band=band
                )


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
    (which scores it). The trust is given the people who answered them
    (``invite_people_like``), so that each ballot stays where it is put."""
    invite_people_like(trust, counts, demographics=demographics)
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
    return services.close_wave(wave=wave, actor=Actor.system("tests"))


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
