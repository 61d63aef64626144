"""Closed waves with answers in the test trust, for the insights tests.

Ballots are written as the survey services write them (answers, demographics), then the wave
is closed through ``services.close_wave``, which stores the scores."""

import random
from datetime import date

from colead.core.actor import Actor
from colead.org.models import Person, Unit
from colead.surveys import services
from colead.surveys.models import Ballot, ResponseSource
from tests.factories import PersonFactory
from tests.integration.waves_fixtures import make_wave

INSTRUMENTS = ["culture-pulse", "staff-engagement", "psychological-safety", "team-working"]
GROUPS = ("nursing_midwifery_registered", "medical_dental", "additional_clinical_services")


def answers_for(instruments, rng: random.Random, lean: float = 0.0) -> dict:
    """Answers to every scale and yes/no item: options around the middle, moved up by
    ``lean`` (−1 to 1), with a few "don't know" and skipped answers."""
    answers = {}
    for instrument in instruments:
        for item in instrument.items:
            if item.demographic or item.type not in ("scale", "yes_no"):
                continue
            if rng.random() < 0.04:
                continue  # skipped
            if item.type == "yes_no":
                answers[item.code] = "yes" if rng.random() < 0.6 + 0.3 * lean else "no"
                continue
            points = item.scale.points
            if item.scale.dont_know and rng.random() < 0.03:
                answers[item.code] = "dk"
                continue
            centre = (points + 1) / 2 + lean * (points - 1) / 3
            option = round(rng.gauss(centre, points / 4))
            answers[item.code] = str(min(points, max(1, option)))
    return answers


def add_ballots(wave, unit_code: str, count: int, *, groups=GROUPS, lean=0.0, seed=0):
    """``count`` ballots in ``unit_code``, staff groups taken in turn from ``groups`` (None
    for a ballot without one)."""
    rng = random.Random(f"{seed}-{unit_code}-{count}")
    instruments = services.wave_instruments(wave)
    unit = Unit.objects.get(organisation=wave.organisation, code=unit_code)
    Ballot.objects.bulk_create(
        [
            Ballot(
                wave=wave,
                reporting_unit=unit,
                submitted_on=date.today(),
                demographics={} if group is None else {"staff_group": group},
                answers=answers_for(instruments, rng, lean),
                source=ResponseSource.DEVICE,
            )
            for group in (groups[i % len(groups)] if groups else None for i in range(count))
        ]
    )


def staff_roster(trust, counts: dict, *, groups=GROUPS):
    """Add people to the test trust so that each unit of ``counts`` has at least 5 invited
    people of each staff group its ballots give (5 in all where they give none). Closing a
    wave generalises each response until it matches 5 invited people (privacy.roster); the
    test trust's wards have 3 to 5 people, far fewer than the ballots these tests put in
    them, and without this their responses would move up to larger units."""
    for code in counts:
        unit = Unit.objects.get(organisation=trust["org"], code=code)
        for group in groups or (None,):
            people = Person.objects.filter(primary_unit=unit)
            if group is not None:
                people = people.filter(staff_group=group)
            for _ in range(5 - people.count()):
                PersonFactory(
                    organisation=trust["org"],
                    primary_unit=unit,
                    staff_group=group or "nursing_midwifery_registered",
                )


def closed_wave(trust, counts: dict, *, threshold=5, title="Spring results", groups=GROUPS, **kw):
    """A wave over the whole test trust, launched, with ``counts`` ballots per unit code
    (a number, or (number, lean)), then closed (which scores it). The trust is given enough
    people for the ballots to stay where they are put (``staff_roster``)."""
    staff_roster(trust, counts, groups=groups)
    wave = make_wave(
        trust,
        units=("TST1-ROOT",),
        threshold=threshold,
        title=title,
        instruments=kw.pop("instruments", INSTRUMENTS),
        launch=True,
    )
    for code, spec in counts.items():
        count, lean = spec if isinstance(spec, tuple) else (spec, 0.0)
        add_ballots(wave, code, count, groups=groups, lean=lean, seed=kw.get("seed", 0))
    return services.close_wave(wave=wave, actor=Actor.system("tests"))
