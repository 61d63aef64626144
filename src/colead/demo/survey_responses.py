"""Survey responses for the demo trusts: two closed waves of a staff culture survey whose
answers have a structure the insights pages should find, and in DEMO1 a pulse sent to the
maternity directorate only (``PULSES``: a wave that surveyed part of the trust). Pure (numpy, no Django): one
seeded ``numpy.random.Generator`` per trust and seed, so a seed and a headcount always give
the same responses.

The model, on a latent scale where one person's spread is about 1:

* **Unit effects.** Each division has a designed effect (``TrustDesign.division_effects``);
  each directorate a random one (SD 0.15) and each team another (SD 0.3), centred within
  their division and directorate (weighted by headcount) so that a division's mean is its
  designed effect. A unit's level drives every item of every instrument, so dimensions
  correlate.
* **Change between the waves.** Everyone a little (+0.05), each team a little at random
  (SD 0.08), and the designed units a lot: the improving directorates (+1) and the largest
  team of a few named directorates (+1.5) improve, and the declining directorates get worse
  (−1); ``TrustSurvey.design`` (``DesignedUnits``) names them by unit code.
* **People.** A person's level is their unit's plus their own (SD 1, correlated 0.5
  between the waves) plus a small staff-group effect. Each of the six culture elements adds
  an element-specific part (SD 0.7); engagement is the weighted sum of the elements
  (``ENGAGEMENT_DRIVERS``, the key-driver pattern) plus its own part; team climate and
  psychological safety follow teamwork and support.
* **Answers.** Each item is an ordinal model: latent × loading + item intercept + normal
  noise, cut into the scale's options; a reverse item is answered on the same latent and
  stored turned round, so reverse items agree with the others. A few "don't know" and blank
  answers. The real-team questions are yes/no with a unit propensity (so the share of
  real teams varies by unit); the team questions are skipped by those not in a team.
* **Who answers.** About half: a per-unit rate, lower for doctors and estates staff,
  higher where the culture is better, and nobody who started after the wave closed.
  Reporting units with few staff fall below the reporting threshold of 11.
* **Comments.** About a quarter of respondents write one, from templates per theme
  (staffing, handovers, recognition, equipment, training, leadership visibility) with a
  tone that follows their unit's level; a few thank or name a colleague by name, so the
  masking of names shows.

``generate_surveys(trusts, seed=...)`` gives a ``TrustSurvey`` per trust: its resolved
design and a ``WaveResponses`` per wave, each response with the respondent's employee
number (to mark their invitation answered), reporting unit, day and the answers as the
form submits them. ``WaveResponses.csv()`` writes the file ``colead import responses``
reads.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from colead.demo.generator import DemoTrust
from colead.org import reference
from colead.surveys.definitions import Instrument, Item, builtin_instruments
from colead.surveys.response_import import BAND_GROUPS

# -- the design ------------------------------------------------------------------------------

WAVE_INSTRUMENTS = (
    "culture-pulse",
    "staff-engagement",
    "team-working",
    "psychological-safety",
    "demographics",
)
# What the "About you" part of the demo asks (the rest of it is left blank).
DEMOGRAPHIC_ITEMS = ("staff_group", "band", "length_of_service")


@dataclass(frozen=True)
class DemoWave:
    key: str
    title: str
    opens_on: date
    closes_on: date
    response_rate: float  # the typical unit's rate; the trust's comes out a little lower
    directorate: str = ""  # the name of the one directorate a pulse surveys; "" the trust


WAVES = (
    DemoWave(
        "autumn-2025",
        "Staff culture survey autumn 2025",
        date(2025, 10, 6),
        date(2025, 10, 31),
        0.52,
    ),
    DemoWave(
        "spring-2026", "Staff culture survey spring 2026", date(2026, 3, 2), date(2026, 3, 20), 0.60
    ),
)
# Waves sent to part of a trust (a directorate's pulse), built after the trust-wide waves so
# that those are the same with or without them. Before autumn 2025, so that every page's
# "latest wave" and spring's change since autumn stay the trust-wide waves'.
PULSES = {
    "DEMO1": (
        DemoWave(
            "maternity-pulse-2025",
            "Maternity pulse summer 2025",
            date(2025, 6, 9),
            date(2025, 6, 20),
            0.60,
            directorate="Maternity",
        ),
    ),
}

# Engagement is generated as this weighted sum of the six culture elements (latent scale),
# so the key-drivers analysis should rank support and compassion first, then teamwork.
ENGAGEMENT_DRIVERS = {
    "support_compassion": 0.40,
    "teamwork": 0.25,
    "learning_innovation": 0.15,
    "vision_values": 0.10,
    "goals_performance": 0.06,
    "equity_inclusion": 0.04,
}
ELEMENTS = tuple(ENGAGEMENT_DRIVERS)


@dataclass(frozen=True)
class TrustDesign:
    """The structure built into one trust's answers, by unit code."""

    division_effects: dict[str, float]  # latent effect of each division
    improving_directorates: tuple[str, ...]  # the whole directorate improves
    improving_teams_in: tuple[str, ...]  # the largest team of each of these improves
    declining_directorates: tuple[str, ...]  # the whole directorate declines


DESIGNS = {
    # Women's and Children's best, Medicine under most pressure. Elderly Care and Stroke ran
    # a culture programme over the winter, and three teams elsewhere turned round (intensive
    # care, neonatal care, the pharmacy's largest team); Emergency Medicine had a hard winter.
    "DEMO1": TrustDesign(
        division_effects={"WAC": 0.50, "CSS": 0.25, "CORP": 0.0, "SURG": -0.25, "MED": -0.50},
        improving_directorates=("MED-ELD",),
        improving_teams_in=("SURG-CC", "WAC-NEO", "CSS-PHARM"),
        declining_directorates=("MED-EM",),
    ),
    "DEMO2": TrustDesign(
        division_effects={"CYP": 0.30, "CORP": 0.0, "ADULT": -0.30},
        improving_directorates=("ADULT-IC",),
        improving_teams_in=("CYP-HV",),
        declining_directorates=("ADULT-DN",),
    ),
}
DIRECTORATE_IMPROVEMENT = 1.0
DIRECTORATE_DECLINE = -1.0
TEAM_IMPROVEMENT = 1.5
TRUST_DRIFT = 0.05  # everyone, between the waves
TEAM_DRIFT_SD = 0.08

DIRECTORATE_SD = 0.15
TEAM_SD = 0.30
PERSON_SD = 1.0
PERSON_WAVE_CORRELATION = 0.5
ELEMENT_SD = 0.70
ENGAGEMENT_SD = 0.50
SUBDIMENSION_SD = 0.45
STAFF_GROUP_EFFECTS = {
    "students": 0.20,
    "allied_health_professionals": 0.10,
    "administrative_clerical": 0.05,
    "additional_clinical_services": -0.10,
    "medical_dental": -0.05,
}
# Response: logit of the typical unit's rate, plus these.
RESPONSE_UNIT_SD = 0.45
RESPONSE_PERSON_SD = 0.8
RESPONSE_CULTURE = 0.3  # per unit of latent level
RESPONSE_GROUP_EFFECTS = {
    "medical_dental": -0.6,
    "estates_ancillary": -0.7,
    "students": -0.3,
    "additional_clinical_services": -0.2,
    "allied_health_professionals": 0.3,
    "add_prof_scientific_technic": 0.3,
    "healthcare_scientists": 0.2,
    "administrative_clerical": 0.2,
}

# Answers: options from latent × loading + intercept + N(0, 1), cut at these points
# (the positive direction: a reverse item's option is turned round afterwards).
CUTS = {
    5: (-2.0, -1.0, -0.15, 1.35),
    7: (-2.3, -1.6, -0.9, -0.3, 0.4, 1.5),
}
DONT_KNOW_RATE = 0.015
BLANK_RATE = 0.01
IN_TEAM_LOGIT = 2.4
REAL_TEAM_LOGIT = 1.3  # a unit's propensity to say yes to a real-team question
REAL_TEAM_UNIT_SD = 0.7
REAL_TEAM_CRITERIA = {"rt_objectives": 0.3, "rt_interdependent": 0.9, "rt_reviews": -0.5}
DEMOGRAPHIC_PREFER_NOT = 0.03
DEMOGRAPHIC_BLANK = 0.04

# -- comments --------------------------------------------------------------------------------

COMMENT_RATE = 0.27
NAMED_RATE = {"positive": 0.08, "negative": 0.03}  # of comments: a colleague named
THEMES = ("staffing", "handovers", "recognition", "equipment", "training", "leadership")
# Sentences by theme and tone. "clinical" ones only for clinical units (not corporate).
TEMPLATES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "staffing": {
        "negative": {
            "any": (
                "We are short staffed most days and the workload is not sustainable.",
                "Vacancies are left unfilled for months and the rest of us cover the gaps.",
                "Sickness is high because everyone is exhausted from covering extra shifts.",
            ),
            "clinical": (
                "There are not enough staff on nights, so breaks get missed.",
                "Staffing levels mean we cannot give patients the care we want to give.",
                "We rely on agency staff who do not know the area or the patients.",
            ),
        },
        "positive": {
            "any": (
                "Staffing has improved since the new recruits started.",
                "Having a full team most days has made a real difference to the workload.",
            ),
            "clinical": (
                "Safe staffing is taken seriously and gaps on a shift are escalated quickly.",
                "The regular bank staff know the area and fit in well with the team.",
            ),
        },
    },
    "handovers": {
        "negative": {
            "any": (),
            "clinical": (
                "Handovers are rushed and important information gets lost.",
                "Nobody has time for a proper handover between shifts.",
                "Handover often runs late because it is constantly interrupted.",
                "Information is lost when patients move between wards at night.",
            ),
        },
        "positive": {
            "any": (),
            "clinical": (
                "The structured handover sheet means nothing gets missed between shifts.",
                "Safety huddles at handover keep everyone informed about the patients.",
                "Handovers are calm and thorough and we finish them on time.",
            ),
        },
    },
    "recognition": {
        "negative": {
            "any": (
                "Nobody says thank you when we go above and beyond.",
                "Hard work goes unnoticed here and morale is low.",
                "It feels as if only mistakes get noticed, never the good work we do.",
            ),
            "clinical": (),
        },
        "positive": {
            "any": (
                "Our manager always thanks us after a difficult day.",
                "Good work is recognised and shared with the whole team.",
                "I feel valued and appreciated by the people I work with.",
            ),
            "clinical": (),
        },
    },
    "equipment": {
        "negative": {
            "any": (
                "The computers are slow and the systems do not talk to each other.",
                "Broken equipment takes weeks to be repaired or replaced.",
            ),
            "clinical": ("We waste time looking for equipment that is broken or missing.",),
        },
        "positive": {
            "any": (
                "Faults with equipment are fixed quickly when we report them.",
                "The new laptops and systems save us a lot of time.",
            ),
            "clinical": ("The new monitors and pumps have made our work safer and quicker.",),
        },
    },
    "training": {
        "negative": {
            "any": (
                "It is impossible to get protected time for mandatory training.",
                "There are no development opportunities unless you push for them yourself.",
                "Study leave is always the first thing to be cancelled.",
            ),
            "clinical": (),
        },
        "positive": {
            "any": (
                "There is good support for training and development here.",
                "I have been supported to go on courses and develop my skills.",
            ),
            "clinical": ("The preceptorship programme gave me a great start.",),
        },
    },
    "leadership": {
        "negative": {
            "any": (
                "Decisions are made at the top without asking the people who do the work.",
                "We only see senior managers when something has gone wrong.",
            ),
            "clinical": (
                "Senior leaders are never seen on the wards and do not understand the pressure.",
            ),
        },
        "positive": {
            "any": (
                "Senior leaders are visible, approachable and listen to what we tell them.",
                "Since the new leadership team started, things feel more open and honest.",
            ),
            "clinical": ("The matron and the divisional team visit the wards regularly.",),
        },
    },
}
THEME_WEIGHTS = {
    "negative": {
        "staffing": 0.30,
        "handovers": 0.15,
        "recognition": 0.13,
        "equipment": 0.15,
        "training": 0.12,
        "leadership": 0.15,
    },
    "positive": {
        "staffing": 0.10,
        "handovers": 0.15,
        "recognition": 0.25,
        "equipment": 0.15,
        "training": 0.20,
        "leadership": 0.15,
    },
}
CLOSINGS = {
    "negative": (
        "Something needs to change soon.",
        "Please listen to staff.",
        "Many of us are thinking of leaving.",
    ),
    "positive": (
        "Overall this is a good place to work.",
        "I am proud to work here.",
        "Thank you for asking.",
    ),
}
NAMED = {
    "positive": (
        "Special thanks to {name}, who always makes time to help new starters.",
        "{name} is an excellent mentor and deserves to be recognised.",
        "Shout out to {name} for keeping us going on a very busy day.",
    ),
    "negative": ("I have raised concerns about {name} several times and nothing has happened.",),
}
OFFICE_DIVISIONS = {"CORP"}  # units whose comments are not about wards and patients


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoResponse:
    """One completed form: who answered (to mark their invitation, never stored with the
    answers), where it is reported, the day, and the answers as the form submits them
    ({item code: "1".."p" | "dk" | "yes" | "no" | option code | comment text})."""

    employee_number: str
    unit_code: str
    submitted_on: date
    answers: dict[str, str]


@dataclass
class WaveResponses:
    wave: DemoWave
    item_codes: tuple[str, ...]  # the wave's items, in form order (the CSV's columns)
    invited: int
    responses: list[DemoResponse]
    unit_codes: tuple[str, ...] = ()  # the units it was sent to; () the whole trust

    @property
    def response_rate(self) -> float:
        return len(self.responses) / self.invited if self.invited else 0.0

    def csv(self) -> bytes:
        """The responses in the layout of ``colead import responses`` (docs/data-formats.md):
        unit_code, then one column per item code; "dk" is written DK."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["unit_code", *self.item_codes])
        for response in self.responses:
            answers = response.answers
            writer.writerow(
                [
                    response.unit_code,
                    *(
                        "DK" if answers.get(code) == "dk" else answers.get(code, "")
                        for code in self.item_codes
                    ),
                ]
            )
        return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class DesignedUnits:
    """A trust's design resolved to unit codes, for the docs and the tests."""

    division_effects: dict[str, float]
    improving: tuple[str, ...]  # directorates first, then teams
    declining: tuple[str, ...]
    driver_weights: dict[str, float]


@dataclass
class TrustSurvey:
    code: str
    design: DesignedUnits
    waves: list[WaveResponses]  # the trust-wide waves, oldest first
    pulses: list[WaveResponses] = field(default_factory=list)  # waves to one directorate


def generate_surveys(trusts: list[DemoTrust], *, seed: int) -> list[TrustSurvey]:
    """Both waves for each trust that has a design (DEMO1 and DEMO2)."""
    return [generate_survey(trust, seed=seed) for trust in trusts if trust.code in DESIGNS]


def survey_digest(surveys: list[TrustSurvey]) -> str:
    """A fingerprint of every generated response."""
    sha = hashlib.sha256()
    for survey in surveys:
        sha.update(survey.code.encode())
        for wave in [*survey.waves, *survey.pulses]:
            sha.update(wave.wave.key.encode())
            for r in wave.responses:
                sha.update(f"{r.employee_number}|{r.unit_code}|{r.submitted_on}|".encode())
                sha.update(repr(sorted(r.answers.items())).encode())
    return sha.hexdigest()


def wave_instruments() -> list[Instrument]:
    by_code = {instrument.code: instrument for instrument in builtin_instruments()}
    return [by_code[code] for code in WAVE_INSTRUMENTS]


def generate_survey(trust: DemoTrust, *, seed: int) -> TrustSurvey:
    return _Survey(trust, seed).build()


# -- internals -------------------------------------------------------------------------------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _rng(code: str, seed: int) -> np.random.Generator:
    entropy = int.from_bytes(hashlib.sha256(f"colead-demo-survey:{code}:{seed}".encode()).digest())
    return np.random.default_rng(entropy)


def _centred(effects: dict[str, float], groups: dict[str, str], weights: dict[str, int]):
    """Effects with their weighted mean within each group subtracted."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for key, value in effects.items():
        group, weight = groups[key], weights.get(key, 0)
        sums[group] = sums.get(group, 0.0) + weight * value
        counts[group] = counts.get(group, 0) + weight
    means = {group: sums[group] / counts[group] if counts[group] else 0.0 for group in sums}
    return {key: value - means[groups[key]] for key, value in effects.items()}


class _Survey:
    def __init__(self, trust: DemoTrust, seed: int):
        self.trust = trust
        self.design = DESIGNS[trust.code]
        self.rng = _rng(trust.code, seed)
        self.instruments = wave_instruments()
        self.items: list[Item] = [i for ins in self.instruments for i in ins.items]
        self._units()
        self._people()

    # The organisation ----------------------------------------------------------------------

    def _units(self):
        units = self.trust.units
        self.parent = {u["unit_code"]: u["parent_code"] for u in units}
        self.level = {u["unit_code"]: u["level"] for u in units}
        self.unit_codes = [u["unit_code"] for u in units]

        def chain(code):
            out = []
            while code:
                out.append(code)
                code = self.parent[code]
            return out[::-1]  # root first

        self.chain = {code: chain(code) for code in self.unit_codes}
        self.division = {c: (ch[1] if len(ch) > 1 else "") for c, ch in self.chain.items()}
        self.directorate = {
            c: next((a for a in ch if self.level[a] == "directorate"), "")
            for c, ch in self.chain.items()
        }

    def _people(self):
        rows = self.trust.workforce
        self.numbers = [r["employee_number"] for r in rows]
        self.person_unit = [r["unit_code"] for r in rows]
        self.groups = [reference.find_staff_group(r["staff_group"]).code for r in rows]
        self.bands = [reference.find_band(r["band"]).code for r in rows]
        self.starts = [date.fromisoformat(r["start_date"]) for r in rows]
        self.full_names = [f"{r['first_name']} {r['last_name']}" for r in rows]
        self.headcount: dict[str, int] = {}
        for code in self.person_unit:
            for ancestor in self.chain[code]:
                self.headcount[ancestor] = self.headcount.get(ancestor, 0) + 1
        self.members: dict[str, list[int]] = {}
        for i, code in enumerate(self.person_unit):
            self.members.setdefault(code, []).append(i)

    def _largest_team(self, directorate: str) -> str:
        teams = [
            c
            for c in self.unit_codes
            if self.level[c] == "team" and self.directorate[c] == directorate
        ]
        if not teams:
            raise ValueError(f"{self.trust.code}: no team in {directorate}")
        return max(teams, key=lambda c: (self.headcount.get(c, 0), [-ord(ch) for ch in c]))

    # Unit effects ----------------------------------------------------------------------------

    def _unit_levels(self) -> tuple[dict[str, float], dict[str, float]]:
        """(autumn level, change to spring) per unit."""
        rng, design = self.rng, self.design
        directorates = sorted(c for c in self.unit_codes if self.level[c] == "directorate")
        teams = sorted(c for c in self.unit_codes if self.level[c] == "team")
        d_raw = dict(
            zip(directorates, rng.normal(0, DIRECTORATE_SD, len(directorates)), strict=True)
        )
        t_raw = dict(zip(teams, rng.normal(0, TEAM_SD, len(teams)), strict=True))
        drift = dict(zip(teams, rng.normal(0, TEAM_DRIFT_SD, len(teams)), strict=True))
        d_eff = _centred(d_raw, self.division, self.headcount)
        t_eff = _centred(
            t_raw, {t: self.directorate[t] or self.division[t] for t in teams}, self.headcount
        )
        improving = set(design.improving_directorates)
        declining = set(design.declining_directorates)
        self.improving_teams = tuple(self._largest_team(d) for d in design.improving_teams_in)
        level, change = {}, {}
        for code in self.unit_codes:
            ch = self.chain[code]
            value = design.division_effects.get(self.division[code], 0.0)
            value += d_eff.get(self.directorate[code], 0.0)
            team = next((a for a in ch if self.level[a] == "team"), "")
            value += t_eff.get(team, 0.0)
            level[code] = value
            delta = TRUST_DRIFT + drift.get(team, 0.0)
            if improving.intersection(ch):
                delta += DIRECTORATE_IMPROVEMENT
            if declining.intersection(ch):
                delta += DIRECTORATE_DECLINE
            if team in self.improving_teams:
                delta += TEAM_IMPROVEMENT
            change[code] = delta
        return level, change

    # Building ------------------------------------------------------------------------------

    def build(self) -> TrustSurvey:
        rng = self.rng
        n = len(self.numbers)
        level, change = self._unit_levels()
        unit_index = {code: i for i, code in enumerate(self.unit_codes)}
        person_unit = np.array([unit_index[c] for c in self.person_unit])
        units = len(self.unit_codes)
        group_effect = np.array([STAFF_GROUP_EFFECTS.get(g, 0.0) for g in self.groups])
        response_group = np.array([RESPONSE_GROUP_EFFECTS.get(g, 0.0) for g in self.groups])
        # Persistent parts: a person's own level and willingness to answer; a unit's rate
        # and its in-team and real-team propensities; each item's loading and intercept.
        person = rng.normal(0, 1, n)
        willing = rng.normal(0, RESPONSE_PERSON_SD, n)
        unit_rate = rng.normal(0, RESPONSE_UNIT_SD, units)
        self.in_team = IN_TEAM_LOGIT + rng.normal(0, 0.7, units)
        self.real_team = REAL_TEAM_LOGIT + rng.normal(0, REAL_TEAM_UNIT_SD, units)
        self.loadings = rng.uniform(0.8, 1.2, len(self.items))
        self.intercepts = rng.normal(0.35, 0.35, len(self.items))
        levels = np.array([level[c] for c in self.unit_codes])
        changes = np.array([change[c] for c in self.unit_codes])
        item_codes = tuple(
            item.code
            for item in self.items
            if item.demographic is None or item.code in DEMOGRAPHIC_ITEMS
        )
        waves = []
        # The waves survey the divisions, not the few executives attached to the trust
        # itself: their group is below any threshold, and disclosure control would then
        # hide a whole division too, so that they could not be worked out by subtraction.
        surveyed = np.array([self.level[code] != "organisation" for code in self.person_unit])

        def responses(w: int, wave: DemoWave, surveyed: np.ndarray) -> list[DemoResponse]:
            unit_level = levels + changes * w
            own = PERSON_SD * (
                PERSON_WAVE_CORRELATION**0.5 * person
                + (1 - PERSON_WAVE_CORRELATION) ** 0.5 * rng.normal(0, 1, n)
            )
            theta = unit_level[person_unit] + group_effect + own
            rate = (
                _logit(wave.response_rate)
                + (unit_rate + rng.normal(0, 0.15, units))[person_unit]
                + willing
                + response_group
                + RESPONSE_CULTURE * unit_level[person_unit]
            )
            employed = np.array([start <= wave.closes_on for start in self.starts])
            rows = np.flatnonzero((rng.random(n) < _sigmoid(rate)) & employed & surveyed)
            answers = self._answers(theta[rows], person_unit[rows])
            demographics = self._demographics(wave, rows)
            days = self._days(wave, len(rows))
            comments = self._comments(w, rows, theta[rows], unit_level[person_unit[rows]])
            out = []
            for r, i in enumerate(rows.tolist()):
                given = {**answers[r], **demographics[r]}
                if comments[r]:
                    given["comment"] = comments[r]
                out.append(DemoResponse(self.numbers[i], self.person_unit[i], days[r], given))
            return out

        for w, wave in enumerate(WAVES):
            waves.append(
                WaveResponses(wave, item_codes, int(surveyed.sum()), responses(w, wave, surveyed))
            )
        pulses = []
        for wave in PULSES.get(self.trust.code, ()):
            directorate = self._directorate_named(wave.directorate)
            members = np.array([self.directorate[c] == directorate for c in self.person_unit])
            # a pulse before autumn: the units' autumn levels (wave 0, no change yet)
            pulses.append(
                WaveResponses(
                    wave,
                    item_codes,
                    int(members.sum()),
                    responses(0, wave, members),
                    unit_codes=(directorate,),
                )
            )
        design = DesignedUnits(
            division_effects=dict(self.design.division_effects),
            improving=(*self.design.improving_directorates, *self.improving_teams),
            declining=tuple(self.design.declining_directorates),
            driver_weights=dict(ENGAGEMENT_DRIVERS),
        )
        return TrustSurvey(self.trust.code, design, waves, pulses)

    def _directorate_named(self, name: str) -> str:
        codes = [
            u["unit_code"]
            for u in self.trust.units
            if u["level"] == "directorate" and u["name"] == name
        ]
        if len(codes) != 1:
            raise ValueError(f"{self.trust.code}: {len(codes)} directorates named {name!r}")
        return codes[0]

    def _latents(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Each dimension's latent value for each respondent."""
        rng, m = self.rng, theta.shape[0]
        out = {k: theta + ELEMENT_SD * rng.normal(0, 1, m) for k in ELEMENTS}
        engagement = sum(w * out[k] for k, w in ENGAGEMENT_DRIVERS.items())
        engagement = engagement + ENGAGEMENT_SD * rng.normal(0, 1, m)
        for sub in ("motivation", "involvement", "advocacy"):
            out[sub] = engagement + SUBDIMENSION_SD * rng.normal(0, 1, m)
        out["team_climate"] = 0.7 * out["teamwork"] + 0.3 * theta + 0.5 * rng.normal(0, 1, m)
        out["psychological_safety"] = (
            0.5 * out["support_compassion"] + 0.5 * out["teamwork"] + 0.5 * rng.normal(0, 1, m)
        )
        return out

    def _answers(self, theta: np.ndarray, unit: np.ndarray) -> list[dict[str, str]]:
        rng, m = self.rng, theta.shape[0]
        latent = self._latents(theta)
        in_team = rng.random(m) < _sigmoid(self.in_team[unit] + 0.3 * theta)
        columns: list[tuple[str, np.ndarray]] = []
        for j, item in enumerate(self.items):
            if item.demographic is not None or item.type == "free_text":
                continue
            if item.type == "yes_no":
                if item.code == "in_team":
                    yes = in_team
                else:
                    offset = REAL_TEAM_CRITERIA[item.code]
                    chance = _sigmoid(self.real_team[unit] + offset + 0.5 * theta)
                    yes = rng.random(m) < chance
                values = np.where(yes, "yes", "no").astype(object)
            else:
                points = item.scale.points
                noisy = (
                    self.loadings[j] * latent[item.dimensions[0]]
                    + self.intercepts[j]
                    + rng.normal(0, 1, m)
                )
                option = 1 + np.searchsorted(CUTS[points], noisy)
                if item.reverse:
                    option = points + 1 - option
                values = option.astype(str).astype(object)
                draw = rng.random(m)
                if item.dont_know:
                    values[draw < DONT_KNOW_RATE] = "dk"
                values[(draw >= DONT_KNOW_RATE) & (draw < DONT_KNOW_RATE + BLANK_RATE)] = ""
            if item.show_if is not None:  # the team questions: only for those in a team
                values[~in_team] = ""
            columns.append((item.code, values))
        rows: list[dict[str, str]] = [{} for _ in range(m)]
        for code, values in columns:
            for r, value in enumerate(values.tolist()):
                if value:
                    rows[r][code] = value
        return rows

    def _demographics(self, wave: DemoWave, rows: np.ndarray) -> list[dict[str, str]]:
        rng, m = self.rng, rows.shape[0]
        out = []
        draws = rng.random((m, len(DEMOGRAPHIC_ITEMS)))
        for r, i in enumerate(rows.tolist()):
            years = (wave.closes_on - self.starts[i]).days / 365.25
            service = (
                "under_1_year"
                if years < 1
                else "years_1_5"
                if years < 6
                else "years_6_10"
                if years < 11
                else "over_10_years"
            )
            values = {
                "staff_group": self.groups[i],
                "band": BAND_GROUPS[self.bands[i]],
                "length_of_service": service,
            }
            given = {}
            for k, code in enumerate(DEMOGRAPHIC_ITEMS):
                draw = draws[r, k]
                if draw < DEMOGRAPHIC_PREFER_NOT:
                    given[code] = "prefer_not"
                elif draw >= DEMOGRAPHIC_PREFER_NOT + DEMOGRAPHIC_BLANK:
                    given[code] = values[code]
            out.append(given)
        return out

    def _days(self, wave: DemoWave, m: int) -> list[date]:
        """Most answer in the first days and after each reminder; fewer at weekends."""
        length = (wave.closes_on - wave.opens_on).days + 1
        weights = np.ones(length)
        for d in range(length):
            day = wave.opens_on + timedelta(days=d)
            if day.weekday() >= 5:
                weights[d] *= 0.3
        weights[:3] *= 3.0
        for reminder in (length // 3, 2 * length // 3):
            weights[reminder : reminder + 2] *= 2.0
        weights[-2:] *= 1.5
        picks = self.rng.choice(length, size=m, p=weights / weights.sum())
        return [wave.opens_on + timedelta(days=int(d)) for d in picks]

    def _comments(
        self, w: int, rows: np.ndarray, theta: np.ndarray, unit_level: np.ndarray
    ) -> list[str]:
        rng, m = self.rng, rows.shape[0]
        writes = rng.random(m) < COMMENT_RATE
        positive = rng.random(m) < _sigmoid(1.5 * unit_level + 0.6 * (theta - unit_level) - 0.4)
        improving = set(self.design.improving_directorates)
        declining = set(self.design.declining_directorates)
        out = []
        for r, i in enumerate(rows.tolist()):
            if not writes[r]:
                out.append("")
                continue
            tone = "positive" if positive[r] else "negative"
            unit = self.person_unit[i]
            setting = "any" if self.division[unit] in OFFICE_DIVISIONS else "clinical"
            weights = dict(THEME_WEIGHTS[tone])
            if setting == "any":
                weights["handovers"] = 0.0
            if w and improving.intersection(self.chain[unit]):
                weights["leadership"] *= 3  # the story of the improving directorate
            if w and declining.intersection(self.chain[unit]):
                weights["staffing"] *= 2  # and of the declining one
            themes = [t for t in THEMES if weights[t] > 0]
            p = np.array([weights[t] for t in themes])
            first, second = rng.choice(len(themes), size=2, replace=False, p=p / p.sum())
            sentences = [self._sentence(themes[first], tone, setting)]
            if rng.random() < 0.35:
                sentences.append(self._sentence(themes[second], tone, setting))
            if rng.random() < NAMED_RATE[tone]:  # masked when stored
                colleague = self._colleague(i)
                template = NAMED[tone][int(rng.integers(len(NAMED[tone])))]
                named = template.format(name=self.full_names[colleague])
                sentences.insert(int(rng.integers(len(sentences) + 1)), named)
            if rng.random() < 0.3:
                closing = CLOSINGS[tone]
                sentences.append(closing[int(rng.integers(len(closing)))])
            out.append(" ".join(sentences))
        return out

    def _sentence(self, theme: str, tone: str, setting: str) -> str:
        options = TEMPLATES[theme][tone]
        choices = options["any"] + (options["clinical"] if setting == "clinical" else ())
        return choices[int(self.rng.integers(len(choices)))]

    def _colleague(self, i: int) -> int:
        """Someone else in the same reporting unit (or anyone, in a unit of one)."""
        team = [p for p in self.members[self.person_unit[i]] if p != i]
        if team:
            return team[int(self.rng.integers(len(team)))]
        other = int(self.rng.integers(len(self.numbers) - 1))
        return other + 1 if other >= i else other
