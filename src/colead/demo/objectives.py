"""Direction for the demo trusts: the vision and values, objectives at every level with
their agreement history and check-ins, and the gaps a real trust's golden thread has.

Pure Python, no Django. ``random.Random`` is seeded by the trust and the seed, and every
date is an offset from a reference date (the day the demo is built), so the same seed
gives the same objectives, and "stale" (no check-in for 60 days) means the same whenever
the demo is built.

For each trust, ``generate_direction(trust, seed=..., today=...)`` gives:

1. a vision, mission and values, approved by the board about eight months ago;
2. 5–7 organisation objectives, each with a measure and tagged with cultural elements
   (in DEMO1 one was achieved early, so the board has five active priorities);
3. two objectives per division and two or three per directorate, aligned to the level
   above;
4. team objectives for a designed share of each division's teams (``DirectionDesign.uptake``:
   in DEMO1 Women's and Children's do best and Medicine worst), aligned to their
   directorate's;
5. individual objectives for about half the staff, aligned to their team's objectives (or
   their unit's), more often in teams that have objectives of their own;
6. the agreement history (proposed, agreed, started; a few achieved or dropped) spread
   over the last eight months, and check-ins at a cadence for each level (monthly for
   the trust's, divisions', directorates' and teams' objectives, every two months or so
   for individuals').

Every objective has one of five themes (``THEMES``: the templates are grouped by theme, and
the vague aims and special targets name theirs), and an aligned one serves an objective of
the same theme above it (when its unit's have none, the nearest such one up the tree), so any
thread read from an individual's objective up to the board tells one story: a quality
improvement course serves a training objective, never an inclusion one.

The designed gaps are recorded by objective or unit code in ``TrustDirection.gaps``
(``DesignedGaps``), so that tests can check that the product's own checks
(colead.direction.quality and coverage) find exactly them: orphans (no path up to an
organisation objective, including two team objectives whose directorate objective was
dropped), priority thickets (teams with more than five active objectives), stale
objectives (no check-in for over 60 days), unagreed ones (draft or proposed, some after a
"changes requested"), vague aims with no measure, and a target already met at its
baseline.

``PHASES`` dates the history: ``colead.demo.services`` writes what had happened by 180, 120
and 60 days ago and by today, in turn, and records a coverage snapshot after each phase.
"""

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from random import Random

from colead.demo.generator import DemoTrust
from colead.direction import imports as objectives_file
from colead.direction.quality import DEFAULT_SETTINGS
from colead.direction.reference import ELEMENTS

# Days before the reference date at which the history is written and coverage recorded.
PHASES = (180, 120, 60, 0)
STALE_DAYS = DEFAULT_SETTINGS.stale_days
THICKET_LIMIT = DEFAULT_SETTINGS.thicket_limit
# The layout of the objectives import file, so the demo cannot drift from the importer.
OBJECTIVE_COLUMNS = objectives_file.COLUMNS

MONTHS = (
    "January February March April May June July August September October November December"
).split()

# Statuses an objective moves to by each step of its history.
STATUS_AFTER = {
    "proposed": "proposed",
    "agreed": "agreed",
    "changes_requested": "draft",
    "active": "active",
    "achieved": "achieved",
    "dropped": "dropped",
}
LIVE = frozenset({"agreed", "active"})


# --- What is generated ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of an objective's history: an act of agreement (proposed, agreed,
    changes_requested) or a change of status (active, achieved, dropped)."""

    act: str
    at: datetime  # local time, naive
    comment: str = ""
    by: str = ""  # the demo persona who took it ("": the system)

    @property
    def on(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class PlannedCheckIn:
    on: date
    value: float | None
    confidence: str
    comment: str = ""
    by: str = ""  # the demo persona who checked in ("": the system)


@dataclass(frozen=True)
class PlannedObjective:
    code: str
    title: str
    unit_code: str
    created_on: date
    owner: str = ""  # employee number, for an individual objective
    parent_codes: tuple[str, ...] = ()
    measure: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: str = "up"
    due_date: date | None = None
    elements: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    check_ins: tuple[PlannedCheckIn, ...] = ()
    by: str = ""  # the persona who wrote it; set for those made through the services

    @property
    def through_services(self) -> bool:
        """Written step by step through the services (the import cannot record a request
        for changes, nor who took each step)."""
        return bool(self.by) or any(step.act == "changes_requested" for step in self.steps)

    def status_on(self, day: date) -> str | None:
        """The status at the end of ``day`` (None before it was written)."""
        if self.created_on > day:
            return None
        status = "draft"
        for step in self.steps:
            if step.on <= day:
                status = STATUS_AFTER[step.act]
        return status

    @property
    def status(self) -> str:
        return self.status_on(date.max)

    def last_step(self, act: str, day: date = date.max) -> Step | None:
        found = None
        for step in self.steps:
            if step.act == act and step.on <= day:
                found = step
        return found

    def agreed_at(self, day: date = date.max) -> datetime | None:
        """When the agreement standing on ``day`` was made (None if it is not agreed)."""
        status = self.status_on(day)
        if status is None or status in ("draft", "proposed"):
            return None
        step = self.last_step("agreed", day)
        return step.at if step is not None else None

    def row(self, day: date) -> dict[str, str]:
        """The objective as a row of the import file, with its status on ``day``."""
        return {
            "objective_code": self.code,
            "title": self.title,
            "level_unit_code": self.unit_code,
            "owner_employee_number": self.owner,
            "parent_codes": ";".join(self.parent_codes),
            "measure": self.measure,
            "baseline": _number_text(self.baseline),
            "target": _number_text(self.target),
            "direction": self.direction,
            "due_date": self.due_date.isoformat() if self.due_date else "",
            "status": self.status_on(day) or "",
            "elements": ";".join(self.elements),
        }


@dataclass(frozen=True)
class PlannedVision:
    vision: str
    mission: str
    values: tuple[tuple[str, str], ...]  # (name, description)
    drafted_on: date
    approved_on: date
    note: str
    drafted_by: str = ""  # persona
    approved_by: str = ""  # persona


@dataclass
class DesignedGaps:
    """The gaps put in on purpose, by code, as the product's checks should find them on the
    reference date."""

    orphans: list[str] = field(default_factory=list)  # open, below the top, no path up
    thickets: list[str] = field(default_factory=list)  # unit codes: > 5 active objectives
    stale: list[str] = field(default_factory=list)  # live, no check-in for > 60 days
    unagreed: list[str] = field(default_factory=list)  # draft or proposed
    changes_requested: list[str] = field(default_factory=list)
    vague: list[str] = field(default_factory=list)  # a vague aim with no measure
    met_at_baseline: list[str] = field(default_factory=list)
    dropped_parent: list[str] = field(default_factory=list)  # a parent dropped under them
    best_division: str = ""  # the designed uptake's highest and lowest
    weakest_division: str = ""


@dataclass
class TrustDirection:
    code: str
    today: date
    vision: PlannedVision
    objectives: list[PlannedObjective]  # every parent before its children
    gaps: DesignedGaps
    uptake: dict[str, float]  # division code -> designed share of teams with objectives
    personas: dict[str, str]  # persona -> employee number (the trust's)

    @property
    def phases(self) -> tuple[date, ...]:
        return tuple(self.today - timedelta(days=days) for days in PHASES)

    def by_code(self) -> dict[str, PlannedObjective]:
        return {objective.code: objective for objective in self.objectives}

    def csv(self, objectives: list[PlannedObjective], day: date) -> bytes:
        """These objectives as an import file, each with its status on ``day``."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(OBJECTIVE_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(objective.row(day) for objective in objectives)
        return buffer.getvalue().encode("utf-8")

    def check_in_count(self) -> int:
        return sum(len(objective.check_ins) for objective in self.objectives)


def direction_digest(directions: list[TrustDirection]) -> str:
    """A fingerprint of everything generated (the same seed and date give the same one)."""
    sha = hashlib.sha256()
    for direction in directions:
        sha.update(repr((direction.code, direction.today, direction.vision)).encode())
        for objective in direction.objectives:
            sha.update(repr(objective).encode())
        sha.update(repr(direction.gaps).encode())
    return sha.hexdigest()


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


# --- The design ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """An objective at some level: the title has {b} (baseline), {t} (target), {unit} and
    {when} (the due month) in it; ``change`` is how far the target is from the baseline."""

    title: str
    measure: str
    baseline: tuple[float, float]
    change: tuple[float, float]
    direction: str = "up"
    decimals: int = 0
    elements: tuple[str, ...] = ()
    clinical: bool = False  # only for clinical units (not corporate services)


@dataclass(frozen=True)
class OrgObjective:
    theme: str  # the themes below, which the objectives beneath it follow
    title: str
    measure: str
    baseline: float
    target: float
    direction: str
    elements: tuple[str, ...]
    achieved_days_ago: int | None = None  # achieved before the plan's first review


@dataclass(frozen=True)
class DirectionDesign:
    vision: str
    mission: str
    values: tuple[tuple[str, str], ...]
    org_objectives: tuple[OrgObjective, ...]
    uptake: dict[str, float]  # division -> share of its teams with agreed objectives
    thicket_teams: int
    orphan_teams: int
    orphan_individuals: int
    changes_requested: int  # besides the demo manager's ward
    dropped_directorate: bool  # a directorate objective dropped with its teams' still live


T = Template
WORKFORCE, EXPERIENCE, ACCESS, INCLUSION, LEARNING = (
    "workforce",
    "experience",
    "access",
    "inclusion",
    "learning",
)
THEMES = (WORKFORCE, EXPERIENCE, ACCESS, INCLUSION, LEARNING)

# The templates by theme. A count in a title ("{t} clinical audits") starts at 2, as the
# title says it in the plural.
DIVISION_TEMPLATES = {
    WORKFORCE: (
        T("Cut agency staffing spend in {unit} from £{b}k to £{t}k a month by {when}",
          "Agency spend a month (£ thousand)", (180, 420), (40, 110), "down", 0,
          ("goals_performance",)),
        T("Cut the {unit} vacancy rate from {b}% to {t}% by {when}", "Vacancy rate (%)",
          (9, 14), (2, 4), "down", 1, ("goals_performance", "support_compassion")),
    ),
    EXPERIENCE: (
        T("Raise the staff engagement score in {unit} from {b} to {t} by {when}",
          "Staff engagement score (out of 10)", (6.3, 7.0), (0.4, 0.7), "up", 1,
          ("support_compassion", "vision_values")),
    ),
    ACCESS: (
        T("Treat {t}% of {unit} patients within 18 weeks of referral by {when}",
          "Patients treated within 18 weeks (%)", (56, 72), (8, 14), "up", 0,
          ("goals_performance",), clinical=True),
        T("Answer {t}% of requests to {unit} within 5 working days by {when}",
          "Requests answered within 5 working days (%)", (58, 72), (10, 16), "up", 0,
          ("goals_performance",)),
    ),
    INCLUSION: (
        T("Cut the gap in appraisal rates between White and ethnic minority staff in {unit} "
          "from {b} to {t} points by {when}", "Gap in appraisal rates (percentage points)",
          (7, 12), (3, 5), "down", 0, ("equity_inclusion",)),
    ),
    LEARNING: (
        T("Start {t} quality improvement projects in {unit} by {when}",
          "Quality improvement projects started", (0, 0), (8, 15), "up", 0,
          ("learning_innovation",)),
    ),
}  # fmt: skip

DIRECTORATE_TEMPLATES = {
    WORKFORCE: (
        T("Cut the {unit} vacancy rate from {b}% to {t}% by {when}", "Vacancy rate (%)",
          (8, 15), (2, 4), "down", 1, ("goals_performance", "support_compassion")),
        T("Cut sickness absence in {unit} from {b}% to {t}% by {when}", "Sickness absence (%)",
          (4.5, 6.8), (0.8, 1.5), "down", 1, ("support_compassion",)),
    ),
    EXPERIENCE: (
        T("Raise the staff engagement score in {unit} from {b} to {t} by {when}",
          "Staff engagement score (out of 10)", (6.2, 7.1), (0.4, 0.7), "up", 1,
          ("support_compassion", "vision_values")),
        T("Complete appraisals for {t}% of {unit} staff by {when}",
          "Staff with an appraisal in the last 12 months (%)", (66, 82), (8, 14), "up", 0,
          ("support_compassion", "goals_performance")),
    ),
    ACCESS: (
        T("Cut the median wait for a first {unit} appointment from {b} to {t} weeks by {when}",
          "Median wait for a first appointment (weeks)", (9, 16), (3, 6), "down", 0,
          ("goals_performance",), clinical=True),
        T("Answer {t}% of requests to {unit} within 5 working days by {when}",
          "Requests answered within 5 working days (%)", (58, 74), (10, 16), "up", 0,
          ("goals_performance",)),
    ),
    INCLUSION: (
        T("Raise inclusion training completion in {unit} from {b}% to {t}% by {when}",
          "Staff who have completed inclusion training (%)", (38, 62), (15, 25), "up", 0,
          ("equity_inclusion",)),
    ),
    LEARNING: (
        T("Raise mandatory training compliance in {unit} from {b}% to {t}% by {when}",
          "Mandatory training compliance (%)", (76, 86), (6, 9), "up", 0,
          ("learning_innovation",)),
        T("Complete {t} quality improvement projects in {unit} by {when}",
          "Quality improvement projects completed", (0, 0), (3, 6), "up", 0,
          ("learning_innovation",)),
    ),
}  # fmt: skip

TEAM_TEMPLATES = {
    WORKFORCE: (
        T("Cut sickness absence in {unit} from {b}% to {t}% by {when}", "Sickness absence (%)",
          (4.0, 7.5), (1.0, 2.0), "down", 1, ("support_compassion",)),
        T("Keep {t}% of new starters in {unit} in post after their first year by {when}",
          "New starters still in post after a year (%)", (70, 84), (8, 12), "up", 0,
          ("support_compassion", "teamwork")),
    ),
    EXPERIENCE: (
        T("Hold a 10-minute huddle on {t}% of working days in {unit} by {when}",
          "Working days with a huddle (%)", (30, 55), (25, 40), "up", 0, ("teamwork",)),
        T("Raise the team working score of {unit} from {b} to {t} by {when}",
          "Team working score (out of 5)", (3.2, 3.8), (0.3, 0.5), "up", 1, ("teamwork",)),
        T("Complete appraisals for {t}% of {unit} by {when}",
          "Staff with an appraisal in the last 12 months (%)", (62, 82), (8, 14), "up", 0,
          ("support_compassion", "goals_performance")),
    ),
    ACCESS: (
        T("Raise the Friends and Family Test score of {unit} from {b}% to {t}% by {when}",
          "Patients rating the service good or very good (%)", (80, 89), (5, 7), "up", 0,
          ("goals_performance", "support_compassion"), clinical=True),
        T("Answer {t}% of requests to {unit} within 5 working days by {when}",
          "Requests answered within 5 working days (%)", (56, 76), (10, 16), "up", 0,
          ("goals_performance",)),
    ),
    INCLUSION: (
        T("Raise inclusion training completion in {unit} from {b}% to {t}% by {when}",
          "Staff who have completed inclusion training (%)", (35, 65), (15, 25), "up", 0,
          ("equity_inclusion",)),
    ),
    LEARNING: (
        T("Complete {t} quality improvement projects in {unit} by {when}",
          "Quality improvement projects completed", (0, 0), (2, 3), "up", 0,
          ("learning_innovation",)),
        T("Raise mandatory training compliance in {unit} from {b}% to {t}% by {when}",
          "Mandatory training compliance (%)", (74, 88), (6, 9), "up", 0,
          ("learning_innovation",)),
    ),
}  # fmt: skip

INDIVIDUAL_TEMPLATES = {
    WORKFORCE: (
        T("Mentor {t} new starters through their first 3 months by {when}",
          "New starters mentored", (0, 0), (2, 3), "up", 0, ("support_compassion", "teamwork")),
        T("Finish {t} stay conversations with colleagues thinking of leaving by {when}",
          "Stay conversations held", (0, 0), (3, 6), "up", 0, ("support_compassion",)),
    ),
    EXPERIENCE: (
        T("Lead {t} team wellbeing sessions by {when}", "Wellbeing sessions led", (0, 0),
          (2, 4), "up", 0, ("support_compassion",)),
        T("Spend {t} days shadowing a partner team by {when}", "Shadowing days", (0, 0),
          (2, 4), "up", 0, ("teamwork",)),
    ),
    ACCESS: (
        T("Complete {t} clinical audits for the team by {when}", "Clinical audits completed",
          (0, 0), (2, 3), "up", 0, ("goals_performance",), clinical=True),
        T("Cut the median time to close a request from {b} to {t} days by {when}",
          "Median days to close a request", (8, 14), (3, 5), "down", 0,
          ("goals_performance",)),
    ),
    INCLUSION: (
        T("Attend {t} sessions of the reciprocal mentoring programme by {when}",
          "Mentoring sessions attended", (0, 0), (4, 6), "up", 0, ("equity_inclusion",)),
    ),
    LEARNING: (
        T("Complete the {t}-module quality improvement course by {when}", "Modules completed",
          (0, 0), (4, 6), "up", 0, ("learning_innovation",)),
        T("Complete {t} modules of the leadership programme by {when}", "Modules completed",
          (0, 0), (3, 5), "up", 0, ("learning_innovation", "vision_values")),
    ),
}  # fmt: skip

# Designed gaps with their own wording.
MET_AT_BASELINE = T(
    "Keep hand hygiene compliance in {unit} at {t}% or above by {when}",
    "Hand hygiene audit compliance (%)",
    (97, 99),
    (-3, -3),  # the target is below the baseline: already met
    "up",
    0,
    ("goals_performance", "learning_innovation"),
)
MET_AT_BASELINE_THEME = LEARNING
# Vague aims (no measure) by level, each with its theme.
VAGUE_TITLES = {
    "directorate": ((ACCESS, "Enhance the patient experience"),),
    "team": (
        (EXPERIENCE, "Improve communication in the team"),
        (EXPERIENCE, "Support staff wellbeing"),
    ),
    "individual": (
        (LEARNING, "Develop my leadership skills"),
        (LEARNING, "Improve my time management"),
    ),
}
PERSONA_VAGUE = (LEARNING, "Improve my confidence with the electronic observations system")
DROPPED_DIRECTORATE = T(
    "Open a {t}-bed assessment unit in {unit} by {when}",
    "Assessment unit beds open",
    (0, 0),
    (10, 14),
    "up",
    0,
    ("goals_performance",),
)
DROPPED_DIRECTORATE_THEME = ACCESS
DROP_COMMENTS = (
    "Funding withdrawn in the winter plan: the beds go to the escalation ward.",
    "No longer needed after a change of role.",
)
CHANGES_COMMENTS = (
    "Please add a measure and a date: how will we both know it has been done?",
    "This overlaps with the team's objective: can you make it about your own part of it?",
    "Good aim, but the target is already met: set one beyond where you are now.",
    "Can you link this to one of the team's objectives so it counts towards them?",
)
ON_TRACK_COMMENTS = (
    "On plan.",
    "Going well; the team is behind it.",
    "Ahead of where we expected at this point.",
    "Steady progress since the last check-in.",
)
AT_RISK_COMMENTS = (
    "Slower than planned: two vacancies this month.",
    "Behind plan after winter pressures; recovery plan agreed.",
    "Some progress, but sickness absence has held us back.",
    "Waiting on the new rota before we can go further.",
)
OFF_TRACK_COMMENTS = (
    "Off track: no capacity to take this forward this quarter.",
    "Stalled while the service is redesigned.",
    "Not moving: needs a conversation at the next team meeting.",
)


DESIGNS = {
    # Women's and Children's furthest ahead, Medicine furthest behind (as in the survey).
    "DEMO1": DirectionDesign(
        vision=(
            "Outstanding care for every patient, given by people who feel valued, listened to "
            "and proud to work here."
        ),
        mission=(
            "We provide safe, kind and timely hospital care for the people of Wealdon and the "
            "towns around it, and work with our partners so that people can stay well at home "
            "wherever they can."
        ),
        values=(
            ("Compassion", "We notice how people feel and act to help: patients, families and "
             "each other."),
            ("Respect", "We treat everyone as an equal, listen to understand and keep our "
             "promises."),
            ("Openness", "We speak up, share what we learn from mistakes and welcome challenge."),
            ("Learning", "We are curious, try new ways of working and measure whether they "
             "work."),
            ("Inclusion", "We value difference and make sure everyone has a fair chance to "
             "belong and to progress."),
        ),
        org_objectives=(
            OrgObjective(WORKFORCE, "Reduce the staff vacancy rate from 11% to 8% by {when}",
                         "Staff vacancy rate (%)", 11, 8, "down",
                         ("goals_performance", "support_compassion")),
            OrgObjective(EXPERIENCE, "Raise the share of staff who would recommend the trust as "
                         "a place to work from 58% to 65% by {when}",
                         "Staff who would recommend the trust as a place to work (%)", 58, 65,
                         "up", ("vision_values", "support_compassion", "teamwork")),
            OrgObjective(ACCESS, "Treat 78% of patients within 18 weeks of referral by {when}",
                         "Patients treated within 18 weeks (%)", 64, 78, "up",
                         ("goals_performance",)),
            OrgObjective(INCLUSION, "Cut the share of staff who experience discrimination at "
                         "work from 9% to 6% by {when}",
                         "Staff experiencing discrimination at work (%)", 9, 6, "down",
                         ("equity_inclusion",)),
            OrgObjective(LEARNING, "Train 400 staff in quality improvement methods by {when}",
                         "Staff trained in quality improvement", 60, 400, "up",
                         ("learning_innovation",)),
            OrgObjective("", "Open the 24-hour urgent treatment centre by {when}",
                         "Urgent treatment centre open (hours a day)", 0, 24, "up",
                         ("goals_performance", "teamwork"), achieved_days_ago=190),
        ),
        uptake={"WAC": 0.85, "CSS": 0.72, "CORP": 0.6, "SURG": 0.5, "MED": 0.32},
        thicket_teams=3,
        orphan_teams=4,
        orphan_individuals=8,
        changes_requested=5,
        dropped_directorate=True,
    ),
    "DEMO2": DirectionDesign(
        vision="Helping people live well at home and in their communities, with care that fits "
        "around their lives.",
        mission=(
            "We bring nursing, therapy and children's services to people's homes, schools and "
            "clinics across Wealdon, working alongside GPs, the council and local charities."
        ),
        values=(
            ("Kindness", "We are kind to the people we care for and to each other."),
            ("Respect", "We listen, and we treat people as the experts in their own lives."),
            ("Together", "We work as one team across professions and organisations."),
            ("Curiosity", "We ask how we could do better, and learn from what we find."),
            ("Fairness", "We make sure everyone is treated fairly and can be themselves at work."),
        ),
        org_objectives=(
            OrgObjective(WORKFORCE, "Reduce staff turnover from 14% to 11% by {when}",
                         "Staff turnover (%)", 14, 11, "down",
                         ("goals_performance", "support_compassion")),
            OrgObjective(EXPERIENCE, "Raise the share of staff who would recommend the trust as "
                         "a place to work from 61% to 68% by {when}",
                         "Staff who would recommend the trust as a place to work (%)", 61, 68,
                         "up", ("vision_values", "support_compassion", "teamwork")),
            OrgObjective(ACCESS, "See 90% of urgent community referrals within 2 hours by "
                         "{when}", "Urgent referrals seen within 2 hours (%)", 78, 90, "up",
                         ("goals_performance",)),
            OrgObjective(INCLUSION, "Raise the share of ethnic minority staff in band 7 and "
                         "above from 8% to 12% by {when}",
                         "Ethnic minority staff in band 7 and above (%)", 8, 12, "up",
                         ("equity_inclusion",)),
            OrgObjective(LEARNING, "Train 120 staff in quality improvement methods by {when}",
                         "Staff trained in quality improvement", 15, 120, "up",
                         ("learning_innovation",)),
        ),
        uptake={"CYP": 0.85, "CORP": 0.6, "ADULT": 0.45},
        thicket_teams=1,
        orphan_teams=1,
        orphan_individuals=2,
        changes_requested=2,
        dropped_directorate=False,
    ),
}  # fmt: skip


# --- Generating -------------------------------------------------------------------------------


def generate_directions(trusts: list[DemoTrust], *, seed: int, today: date) -> list[TrustDirection]:
    """The direction of every trust that has a design."""
    return [
        generate_direction(trust, seed=seed, today=today)
        for trust in trusts
        if trust.code in DESIGNS
    ]


def generate_direction(trust: DemoTrust, *, seed: int, today: date) -> TrustDirection:
    # The structure comes from the seed alone; the reference date only places it in time.
    rng = Random(f"colead-demo-direction:{trust.code}:{seed}")
    return _Builder(trust, DESIGNS[trust.code], rng, today).build()


def plan_end(today: date) -> date:
    """The end of the business plan's year: the first 31 March at least 45 days ahead."""
    end = date(today.year, 3, 31)
    while end < today + timedelta(days=45):
        end = date(end.year + 1, 3, 31)
    return end


def month_text(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


@dataclass
class _Unit:
    code: str
    name: str
    level: str
    parent: str
    division: str = ""
    directorate: str = ""
    # Its aligned unit objectives that the level below can serve.
    objectives: list[str] = field(default_factory=list)

    @property
    def clinical(self) -> bool:
        return self.division != "CORP"


@dataclass(frozen=True)
class _Person:
    number: str
    unit: str


class _Builder:
    def __init__(self, trust: DemoTrust, design: DirectionDesign, rng: Random, today: date):
        self.trust = trust
        self.design = design
        self.rng = rng
        self.today = today
        self.last_day = today - timedelta(days=1)  # nothing is dated today: it is not over
        self.end = plan_end(today)
        # Quarter ends from a month ahead to the plan's end: due dates of smaller objectives.
        self.due_dates = [
            day
            for year in range(today.year, self.end.year + 1)
            for day in (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31))
            if today + timedelta(days=30) <= day <= self.end
        ] or [self.end]
        self.boundaries = [today - timedelta(days=days) for days in PHASES]
        self.gaps = DesignedGaps()
        self.planned: list[PlannedObjective] = []
        self.by_code: dict[str, PlannedObjective] = {}
        self.theme_of: dict[str, str] = {}
        self.units = {
            row["unit_code"]: _Unit(row["unit_code"], row["name"], row["level"], row["parent_code"])
            for row in trust.units
        }
        self.root = next(u for u in self.units.values() if u.level == "organisation")
        for unit in self.units.values():
            unit.division = self._ancestor(unit, "division")
            unit.directorate = self._ancestor(unit, "directorate")
        self.people = [_Person(row["employee_number"], row["unit_code"]) for row in trust.workforce]
        self.personas = dict(trust.personas)
        manager = self.personas.get("manager", "")
        self.ward = next((p.unit for p in self.people if p.number == manager), "")

    def _ancestor(self, unit: _Unit, level: str) -> str:
        while True:
            if unit.level == level:
                return unit.code
            if not unit.parent:
                return ""
            unit = self.units[unit.parent]

    def _level(self, level: str) -> list[_Unit]:
        return [unit for unit in self.units.values() if unit.level == level]

    def _sample(self, population: list, k: int) -> list:
        return self.rng.sample(population, min(k, len(population)))

    # -- dates, values and histories --------------------------------------------------------

    def day(self, days_ago: float) -> date:
        return self.today - timedelta(days=max(1, int(days_ago)))

    def moment(self, day: date, after: datetime | None = None) -> datetime:
        """A time in the working day of ``day`` (the same for every act that day, as if
        agreed at that day's meetings), or 5 minutes after ``after`` on its day."""
        day = min(day, self.last_day)
        if after is not None and after.date() >= day:
            return after + timedelta(minutes=5)
        minutes = 8 * 60 + 30 + (day.toordinal() * 37) % (8 * 60)
        return datetime.combine(day, time(minutes // 60, minutes % 60))

    def due(self) -> date:
        """One of the next quarter ends, or the plan's end (drawn the same way whatever the
        day, so the day never changes the rest of the draw)."""
        index = self.rng.randrange(5)
        return self.end if index == 4 else self.due_dates[min(index, len(self.due_dates) - 1)]

    def fill(self, template: Template, unit: _Unit, due: date) -> dict:
        """The fields of an objective made from a template for a unit."""
        rng = self.rng
        scale = 10**template.decimals
        baseline = round(rng.uniform(*template.baseline) * scale) / scale
        change = round(rng.uniform(*template.change) * scale) / scale
        if change > 0:  # beyond the baseline by more than the challenge margin
            least = abs(baseline) * (DEFAULT_SETTINGS.challenge_margin + 0.01)
            change = max(change, math.ceil(least * scale) / scale)
        target = round(baseline + change if template.direction == "up" else baseline - change, 1)
        if "%" in template.measure:
            target = min(target, 99.0)
        return {
            "title": template.title.format(
                unit=unit.name, b=_shown(baseline), t=_shown(target), when=month_text(due)
            ),
            "measure": template.measure,
            "baseline": float(baseline),
            "target": float(target),
            "direction": template.direction,
            "due_date": due,
            "elements": tuple(code for code in ELEMENTS if code in template.elements),
        }

    def template(self, templates: dict, theme: str, unit: _Unit) -> Template:
        """A template of the theme, in clinical wording for a clinical unit if it has one."""
        choices = [t for t in templates[theme] if unit.clinical or not t.clinical]
        if unit.clinical:
            choices = [t for t in choices if t.clinical] or choices
        return self.rng.choice(choices)

    def history(
        self, *, days_ago: float, status: str, not_before: date, by=("", "")
    ) -> tuple[date, tuple[Step, ...]]:
        """When it was written, and its steps up to ``status``: agreed about ``days_ago``
        (for a draft: written then; for a proposed one: proposed then), never before
        ``not_before`` (when the objectives it serves were agreed). A dropped one was
        dropped as a draft (the import, which writes it, records no agreement for it)."""
        rng = self.rng
        proposer, agreer = by
        key = self.day(days_ago)
        if status in ("draft", "dropped"):
            created = min(max(key, not_before), self.last_day)
            if status == "draft":
                return created, ()
            ended = min(created + timedelta(days=rng.randint(5, 40)), self.last_day)
            return created, (Step("dropped", self.moment(ended), DROP_COMMENTS[1]),)
        proposed = key if status == "proposed" else key - timedelta(days=rng.randint(1, 12))
        created = proposed - timedelta(days=rng.randint(0, 10))
        if created < not_before:
            shift = not_before - created
            created, proposed, key = created + shift, proposed + shift, key + shift
        created, proposed, key = (min(d, self.last_day) for d in (created, proposed, key))
        steps = [Step("proposed", self.moment(proposed), by=proposer)]
        if status != "proposed":
            steps.append(Step("agreed", self.moment(key, steps[-1].at), by=agreer))
        if status in ("active", "achieved"):
            started = key + timedelta(days=rng.randint(0, 7))
            steps.append(Step("active", self.moment(started, steps[-1].at), by=agreer))
        if status == "achieved":
            span = (self.last_day - steps[-1].on).days
            ended = steps[-1].on + timedelta(days=rng.randint(min(20, span), max(0, span)))
            steps.append(Step(status, self.moment(ended, steps[-1].at)))
        return created, tuple(steps)

    def within_one_phase(
        self, created: date, steps: tuple[Step, ...]
    ) -> tuple[date, tuple[Step, ...]]:
        """The history moved on so that it falls in one phase, the phase of its last step:
        then the build imports it once, as it stands at the end of that phase, and never
        has to update it (the import's updates are its slow part)."""
        last = steps[-1].on if steps else created
        earlier = [b for b in self.boundaries if b < last]
        if not earlier or created > earlier[-1]:
            return created, steps
        start = earlier[-1] + timedelta(days=1)
        moved: list[Step] = []
        for step in steps:
            after = moved[-1].at if moved else None
            if step.on < start or (after is not None and step.at <= after):
                step = replace(step, at=self.moment(max(step.on, start), after))
            moved.append(step)
        return start, tuple(moved)

    def check_ins(
        self, values: dict, steps: tuple[Step, ...], *, cadence, stale=False, by=""
    ) -> tuple[tuple[PlannedCheckIn, ...], bool]:
        """Check-ins from the agreement on, at the level's cadence, the last within the stale
        limit of today; or, for a stale one (if it was agreed long enough ago), long before
        it. Also whether it ends up stale."""
        rng = self.rng
        agreed = next((step.on for step in steps if step.act == "agreed"), None)
        if agreed is None:
            return (), False
        ended = next((step for step in steps if step.act in ("achieved", "dropped")), None)
        since = (self.today - agreed).days
        stale = stale and ended is None and since > STALE_DAYS + 6
        if stale:
            latest = self.day(rng.uniform(STALE_DAYS + 5, min(STALE_DAYS + 80, since)))
        elif ended is not None:
            latest = ended.on
        else:
            latest = self.day(rng.uniform(2, STALE_DAYS - 8))
        dates = []
        while latest > agreed + timedelta(days=7):
            dates.append(latest)
            latest -= timedelta(days=rng.randint(*cadence))
        baseline, target = values.get("baseline"), values.get("target")
        due = values.get("due_date") or self.end
        pace = rng.triangular(0.35, 1.15, 0.8)  # how far towards the target by the due date
        confidence = "high" if pace >= 0.9 else "medium" if pace >= 0.6 else "low"
        comments = {"high": ON_TRACK_COMMENTS, "medium": AT_RISK_COMMENTS}.get(
            confidence, OFF_TRACK_COMMENTS
        )
        made = []
        for day in reversed(dates):
            value = None
            if baseline is not None and target is not None:
                share = (day - agreed).days / max(1, (due - agreed).days)
                value = baseline + (target - baseline) * (
                    min(1.0, pace * share) + rng.gauss(0, 0.04)
                )
                if ended is not None and ended.act == "achieved" and day == ended.on:
                    value = target
                value = round(value, 0 if float(baseline).is_integer() and abs(target) >= 10 else 1)
            comment = rng.choice(comments) if value is None or rng.random() < 0.45 else ""
            made.append(PlannedCheckIn(day, value, confidence, comment, by))
        return tuple(made), stale

    def objective(
        self,
        code: str,
        unit: _Unit,
        values: dict,
        *,
        days_ago: float,
        status: str = "active",
        parents: tuple[str, ...] = (),
        owner: str = "",
        cadence=(25, 40),
        stale: bool = False,
        theme: str = "",
        by=("", ""),
        written_by: str = "",
        not_before: date = date.min,
    ) -> PlannedObjective:
        """Plan an objective with its history and check-ins, and record it."""
        for parent in map(self.by_code.get, parents):  # written after what it serves
            agreed = parent.agreed_at()
            not_before = max(not_before, agreed.date() if agreed else parent.created_on)
        created, steps = self.history(
            days_ago=days_ago, status=status, not_before=not_before, by=by
        )
        if not written_by:  # imported
            created, steps = self.within_one_phase(created, steps)
        check_ins, is_stale = self.check_ins(values, steps, cadence=cadence, stale=stale, by=by[0])
        objective = PlannedObjective(
            code=code,
            unit_code=unit.code,
            created_on=created,
            owner=owner,
            parent_codes=parents,
            steps=steps,
            check_ins=check_ins,
            by=written_by,
            **values,
        )
        self.planned.append(objective)
        self.by_code[code] = objective
        self.theme_of[code] = theme
        if objective.status in ("draft", "proposed"):
            self.gaps.unagreed.append(code)
        if is_stale:
            self.gaps.stale.append(code)
        return objective

    # -- building ---------------------------------------------------------------------------

    def build(self) -> TrustDirection:
        vision = self._vision()
        self._organisation()
        self._divisions()
        self._directorates()
        self._teams()
        self._individuals()
        uptake = self.design.uptake
        gaps = self.gaps
        gaps.best_division = max(uptake, key=uptake.get)
        gaps.weakest_division = min(uptake, key=uptake.get)
        for name in (
            "orphans",
            "thickets",
            "stale",
            "unagreed",
            "changes_requested",
            "vague",
            "met_at_baseline",
            "dropped_parent",
        ):
            setattr(gaps, name, sorted(getattr(gaps, name)))
        return TrustDirection(
            code=self.trust.code,
            today=self.today,
            vision=vision,
            objectives=self.planned,
            gaps=gaps,
            uptake=dict(uptake),
            personas=self.personas,
        )

    def _vision(self) -> PlannedVision:
        design = self.design
        approved = self.vision_approved = self.day(250)
        return PlannedVision(
            vision=design.vision,
            mission=design.mission,
            values=design.values,
            drafted_on=approved - timedelta(days=42),
            approved_on=approved,
            note=f"Trust board meeting of {approved.day} {month_text(approved)}, minute 7.",
            drafted_by="od" if "od" in self.personas else "",
            approved_by="board" if "board" in self.personas else "",
        )

    def _organisation(self):
        """The board's objectives, agreed after the vision; one may have been achieved."""
        root = self.root
        self.org_by_theme: dict[str, str] = {}
        for number, spec in enumerate(self.design.org_objectives, start=1):
            code = f"{self.trust.code}-{number}"
            due, status, days_ago = self.end, "active", 235
            if spec.achieved_days_ago:
                due, status, days_ago = self.day(spec.achieved_days_ago - 14), "achieved", 240
            values = {
                "title": spec.title.format(when=month_text(due)),
                "measure": spec.measure,
                "baseline": float(spec.baseline),
                "target": float(spec.target),
                "direction": spec.direction,
                "due_date": due,
                "elements": tuple(code for code in ELEMENTS if code in spec.elements),
            }
            made = self.objective(
                code,
                root,
                values,
                days_ago=days_ago,
                status="active",
                cadence=(28, 35),
                not_before=self.vision_approved + timedelta(days=1),  # the vision first
            )
            if spec.achieved_days_ago:
                ended = self.moment(self.day(spec.achieved_days_ago), made.steps[-1].at)
                made = replace(made, steps=(*made.steps, Step(status, ended)))
                check_ins, _ = self.check_ins(values, made.steps, cadence=(28, 35))
                made = replace(made, check_ins=check_ins)
                self.planned[-1] = self.by_code[code] = made
            else:
                root.objectives.append(code)
                self.org_by_theme[spec.theme] = code
                self.theme_of[code] = spec.theme

    def _divisions(self):
        for unit in self._level("division"):
            for number, theme in enumerate(self.rng.sample(THEMES, 2), start=1):
                made = self.objective(
                    f"{unit.code}-{number}",
                    unit,
                    self.fill(self.template(DIVISION_TEMPLATES, theme, unit), unit, self.end),
                    days_ago=self.rng.uniform(215, 225),
                    parents=(self.org_by_theme[theme],),
                    cadence=(28, 35),
                    theme=theme,
                )
                unit.objectives.append(made.code)

    def _directorates(self):
        rng, design = self.rng, self.design
        directorates = self._level("directorate")
        stale_one = rng.choice(directorates).code
        for unit in directorates:
            division = self.units[unit.division]
            uptake = design.uptake.get(unit.division, 0.5)
            # Directorates of the divisions further ahead agreed their objectives earlier.
            early = rng.random() < 0.4 + 0.6 * uptake
            days_ago = rng.uniform(195, 215) if early else rng.uniform(100, 160)
            themes = rng.sample(THEMES, rng.choice((2, 2, 3)))
            for number, theme in enumerate(themes, start=1):
                served = [c for c in division.objectives if self.theme_of[c] == theme]
                made = self.objective(
                    f"{unit.code}-{number}",
                    unit,
                    self.fill(self.template(DIRECTORATE_TEMPLATES, theme, unit), unit, self.end),
                    days_ago=days_ago + rng.uniform(-5, 5),
                    parents=(served or [self.org_by_theme[theme]])[:1],
                    cadence=(26, 36),
                    stale=unit.code == stale_one and number == 1,
                    theme=theme,
                )
                unit.objectives.append(made.code)
        self.dropped_teams: list[str] = []
        if design.dropped_directorate:
            self._dropped_directorate_objective(directorates)
        # A vague aim, agreed all the same.
        unit = rng.choice(directorates)
        ((theme, title),) = VAGUE_TITLES["directorate"]
        made = self.objective(
            f"{unit.code}-{len(unit.objectives) + 2}",
            unit,
            {"title": title, "elements": ("support_compassion",)},
            days_ago=rng.uniform(80, 130),
            parents=(self._nearest_above(unit, theme),),
            cadence=(30, 45),
            theme=theme,
        )
        self.gaps.vague.append(made.code)

    def _dropped_directorate_objective(self, directorates: list[_Unit]):
        """A directorate objective dropped after two of its teams had aligned theirs to it:
        theirs are left as orphans (their parent no longer leads up to the trust's)."""
        uptake = self.design.uptake
        middle = sorted(uptake.values())[len(uptake) // 2]
        candidates = [
            unit
            for unit in directorates
            if unit.clinical
            and len(self._teams_in(unit)) >= 2
            and self.ward not in self._teams_in(unit)
        ]
        behind = [unit for unit in candidates if uptake.get(unit.division, 0) <= middle]
        if not candidates:
            return
        unit = self.rng.choice(behind or candidates)
        made = self.objective(
            f"{unit.code}-{len(unit.objectives) + 1}",
            unit,
            self.fill(DROPPED_DIRECTORATE, unit, self.end),
            days_ago=170,
            parents=(self.org_by_theme[DROPPED_DIRECTORATE_THEME],),
            cadence=(28, 35),
            theme=DROPPED_DIRECTORATE_THEME,
        )
        dropped = Step("dropped", self.moment(self.day(75)), DROP_COMMENTS[0])
        made = replace(made, steps=(*made.steps, dropped))
        made = replace(made, check_ins=tuple(c for c in made.check_ins if c.on <= dropped.on))
        self.planned[-1] = self.by_code[made.code] = made
        self.dropped_objective = made.code
        self.dropped_teams = self._sample(self._teams_in(unit), 2)

    def _teams_in(self, directorate: _Unit) -> list[str]:
        return [
            unit.code
            for unit in self.units.values()
            if unit.level == "team" and unit.directorate == directorate.code
        ]

    def _nearest_above(self, unit: _Unit, theme: str) -> str:
        """The nearest objective of ``theme`` above ``unit``: its directorate's, else its
        division's, else the trust's (which has one in every theme)."""
        for code in (unit.directorate, unit.division):
            if code and code != unit.code:
                found = [c for c in self.units[code].objectives if self.theme_of[c] == theme]
                if found:
                    return found[0]
        return self.org_by_theme[theme]

    def _served_by_team(self, unit: _Unit) -> list[str]:
        """The objectives a team's objectives serve: its directorate's, else its division's."""
        for code in (unit.directorate, unit.division):
            if code and self.units[code].objectives:
                return list(self.units[code].objectives)
        return list(self.root.objectives)

    def _teams(self):
        design = self.design
        teams = self._level("team")
        others = [t for t in teams if t.code != self.ward and t.code not in self.dropped_teams]
        thickets = self._sample(others, design.thicket_teams)
        others = [t for t in others if t not in thickets]
        orphans = self._sample(others, design.orphan_teams)
        others = [t for t in others if t not in orphans]
        vague = self._sample(others, len(VAGUE_TITLES["team"]))
        met = self._sample([t for t in others if t.clinical and t not in vague], 1)
        self.gaps.thickets = [t.code for t in thickets]
        self.covered: set[str] = set()
        for unit in teams:
            roles = {
                "thicket": unit in thickets,
                "orphan": unit in orphans,
                "vague": vague.index(unit) if unit in vague else None,
                "met": unit in met,
            }
            self._team(unit, **roles)

    def _team(self, unit: _Unit, *, thicket: bool, orphan: bool, vague: int | None, met: bool):
        """One team's objectives, with the gaps designed for it."""
        rng, gaps = self.rng, self.gaps
        uptake = self.design.uptake.get(unit.division, 0.5)
        served = self._served_by_team(unit)
        numbers = iter(range(1, 100))

        def plan(theme: str, parents: tuple[str, ...], template=None, **options):
            template = template or self.template(TEAM_TEMPLATES, theme, unit)
            values = self.fill(template, unit, self.due())
            code = f"{unit.code}-{next(numbers)}"
            return self.objective(code, unit, values, parents=parents, theme=theme, **options)

        if orphan:  # agreed and started, but linked to nothing
            made = plan(rng.choice(THEMES), (), days_ago=rng.uniform(30, 150))
            gaps.orphans.append(made.code)
        elif unit.code == self.ward or thicket or rng.random() < uptake:
            # Teams of the divisions further ahead agreed theirs earlier.
            days_ago = rng.triangular(8, 215, 60 + 130 * uptake)
            count = rng.choice((1, 2, 2, 3))
            if thicket:
                count = THICKET_LIMIT + 1 + rng.randint(0, 2)
            if unit.code == self.ward:
                count, days_ago = 3, 175
            ordinary = unit.code != self.ward and not thicket
            ward_parents = self._ward_parents(unit, served) if unit.code == self.ward else []
            for index in range(count):
                parent = ward_parents[index] if ward_parents else rng.choice(served)
                recent = ordinary and days_ago < 25 and rng.random() < 0.5
                made = plan(
                    self.theme_of[parent],
                    (parent,),
                    days_ago=days_ago + (rng.uniform(-6, 6) if index else 0),
                    status="agreed" if recent else "active",  # agreed lately, not started
                    stale=ordinary and rng.random() < 0.09,
                )
                unit.objectives.append(made.code)
            self.covered.add(unit.code)
        elif rng.random() < 0.4:  # working on it: a draft, or proposed for agreement
            parent = rng.choice(served)
            plan(
                self.theme_of[parent],
                (parent,),
                days_ago=rng.uniform(3, 60),
                status=rng.choice(("draft", "proposed")),
            )
        if unit.code in self.dropped_teams:
            made = plan(
                DROPPED_DIRECTORATE_THEME,
                (self.dropped_objective,),
                days_ago=rng.uniform(110, 150),
            )
            gaps.orphans.append(made.code)
            gaps.dropped_parent.append(made.code)
        if met:
            made = plan(
                MET_AT_BASELINE_THEME,
                (self._nearest_above(unit, MET_AT_BASELINE_THEME),),
                MET_AT_BASELINE,
                days_ago=rng.uniform(90, 160),
            )
            gaps.met_at_baseline.append(made.code)
        if vague is not None:
            theme, title = VAGUE_TITLES["team"][vague]
            made = self.objective(
                f"{unit.code}-{next(numbers)}",
                unit,
                {"title": title, "elements": ("teamwork",)},
                days_ago=rng.uniform(40, 120),
                status=("active", "draft")[vague % 2],
                parents=(self._nearest_above(unit, theme),),
                theme=theme,
            )
            gaps.vague.append(made.code)

    def _ward_parents(self, unit: _Unit, served: list[str]) -> list[str]:
        """What the demo manager's ward's three objectives serve: a learning and a workforce
        objective (which the demo staff member's own objectives and the vague one the
        manager sent back serve in turn), and one more of another theme if there is one."""
        wanted = [self._nearest_above(unit, theme) for theme in (LEARNING, WORKFORCE)]
        others = [c for c in served if self.theme_of[c] not in (LEARNING, WORKFORCE)]
        return [*wanted, self.rng.choice(others or served)]

    def _individuals(self):
        """Individual objectives for about half the staff: more in teams with objectives of
        their own, more in the divisions further ahead."""
        rng, design = self.rng, self.design
        staff_persona = self.personas.get("staff", "")
        manager_persona = self.personas.get("manager", "")
        orphans = set(self.gaps.orphans)
        served: dict[str, list[str]] = {
            code: [
                c for c in unit.objectives if c not in orphans and self.by_code[c].status in LIVE
            ]
            for code, unit in self.units.items()
        }

        def parents_of(person: _Person) -> list[str]:
            unit = self.units[person.unit]
            if served[unit.code] or unit.level != "team":
                return served[unit.code]
            return served.get(unit.directorate) or served.get(unit.division) or []

        ward_people = [
            p
            for p in self.people
            if p.unit == self.ward and p.number not in (staff_persona, manager_persona)
        ]
        anyone = [p for p in self.people if p.unit != self.ward]
        orphan_people = self._sample(anyone, design.orphan_individuals)
        in_covered = [
            p
            for p in anyone
            if p not in orphan_people and p.unit in self.covered and served[p.unit]
        ]
        changes = self._sample(in_covered, design.changes_requested)
        vague_themes = {theme for theme, _ in VAGUE_TITLES["individual"]}
        vague = self._sample(
            [
                p
                for p in in_covered
                if p not in changes and vague_themes <= {self.theme_of[c] for c in served[p.unit]}
            ],
            len(VAGUE_TITLES["individual"]),
        )
        special = {p.number for p in (*orphan_people, *changes, *vague)}
        for person in self.people:
            unit = self.units[person.unit]
            if person.number == staff_persona and self.ward:
                self._staff_persona(person, unit)
                continue
            if ward_people and person is ward_people[0]:
                self._changes_requested(person, unit, vague=True)
                continue
            if person in changes:
                self._changes_requested(person, unit)
                continue
            if person in vague:
                self._vague_individual(person, unit, vague.index(person), served[unit.code])
                continue
            parents = parents_of(person)
            uptake = design.uptake.get(unit.division, 0.6)
            if unit.level != "team":
                chance = 0.85  # leaders of directorates, divisions and the trust
            elif person.unit in self.covered:
                chance = 0.5 + 0.45 * uptake
            else:
                chance = 0.1 + 0.25 * uptake
            orphan = person in orphan_people
            if person.number == manager_persona or orphan:
                chance = 1.0
            if person.number in special and not orphan:
                continue
            if rng.random() >= chance or not (parents or orphan):
                continue
            for number in range(1, rng.choices((1, 2, 3), (90, 9, 1))[0] + 1):
                self._individual(person, unit, number, parents, orphan=orphan)
                if orphan or person.number == manager_persona:
                    break

    def _vague_individual(self, person: _Person, unit: _Unit, index: int, parents: list[str]):
        """A vague aim with no measure, serving the unit's objective of its theme."""
        theme, title = VAGUE_TITLES["individual"][index]
        made = self.objective(
            f"{person.number}-1",
            unit,
            {"title": title, "elements": ("learning_innovation",)},
            days_ago=self.rng.uniform(20, 100),
            status=("active", "draft")[index],
            parents=(next(c for c in parents if self.theme_of[c] == theme),),
            owner=person.number,
            cadence=(45, 80),
            theme=theme,
        )
        self.gaps.vague.append(made.code)

    def _individual(self, person: _Person, unit: _Unit, number: int, parents, *, orphan=False):
        rng = self.rng
        status = rng.choices(
            ("active", "agreed", "proposed", "draft", "achieved", "dropped"), (78, 7, 6, 5, 3, 1)
        )[0]
        if orphan or person.number == self.personas.get("manager"):
            status = "active"
        days_ago = {
            "agreed": rng.uniform(3, 30),
            "proposed": rng.uniform(2, 40),
            "draft": rng.uniform(2, 60),
            "achieved": rng.uniform(100, 195),
            "dropped": rng.uniform(100, 195),
        }.get(status) or rng.uniform(3, 195)
        parent = "" if orphan else rng.choice(parents)
        theme = self.theme_of.get(parent) or rng.choice(THEMES)
        values = self.fill(self.template(INDIVIDUAL_TEMPLATES, theme, unit), unit, self.due())
        made = self.objective(
            f"{person.number}-{number}",
            unit,
            values,
            days_ago=days_ago,
            status=status,
            parents=(parent,) if parent else (),
            owner=person.number,
            cadence=(45, 80),
            stale=not orphan and rng.random() < 0.08,
            theme=theme,
        )
        if orphan:
            self.gaps.orphans.append(made.code)

    def _changes_requested(self, person: _Person, unit: _Unit, *, vague: bool = False):
        """Proposed, then sent back with changes asked for (by the demo manager in their
        ward); some proposed again since."""
        rng = self.rng
        live = [c for c in unit.objectives if self.by_code[c].status in LIVE]
        if vague:
            theme, title = PERSONA_VAGUE
            parent = next(c for c in live if self.theme_of[c] == theme)
            values = {"title": title, "elements": ("learning_innovation",)}
        else:
            parent = live[0]
            theme = self.theme_of[parent]
            values = self.fill(self.template(INDIVIDUAL_TEMPLATES, theme, unit), unit, self.due())
        made = self.objective(
            f"{person.number}-1",
            unit,
            values,
            days_ago=rng.uniform(14, 40),
            status="proposed",
            parents=(parent,),
            owner=person.number,
            theme=theme,
        )
        asked = self.moment(
            made.steps[-1].on + timedelta(days=rng.randint(2, 6)), made.steps[-1].at
        )
        comment = CHANGES_COMMENTS[0] if vague else rng.choice(CHANGES_COMMENTS)
        by = "manager" if unit.code == self.ward else ""
        steps = (*made.steps, Step("changes_requested", asked, comment, by))
        if not vague and rng.random() < 0.5:
            again = self.moment(asked.date() + timedelta(days=rng.randint(1, 5)), asked)
            steps = (*steps, Step("proposed", again))
        made = replace(made, steps=steps)
        self.planned[-1] = self.by_code[made.code] = made
        self.gaps.changes_requested.append(made.code)
        if vague:
            self.gaps.vague.append(made.code)

    def _staff_persona(self, person: _Person, unit: _Unit):
        """The demo staff member: one objective agreed by the demo manager and checked in on
        (through the services, as on the pages), and one waiting for the manager to agree."""
        ward = [c for c in unit.objectives if self.by_code[c].status in LIVE]
        learning, workforce = (
            next(c for c in ward if self.theme_of[c] == theme) for theme in (LEARNING, WORKFORCE)
        )
        by = ("staff", "manager")
        values = self.fill(INDIVIDUAL_TEMPLATES[LEARNING][0], unit, self.due_dates[-1])
        self.objective(
            f"{person.number}-1",
            unit,
            values,
            days_ago=150,
            parents=(learning,),
            owner=person.number,
            cadence=(35, 40),
            by=by,
            written_by="staff",
            theme=LEARNING,
        )
        values = self.fill(INDIVIDUAL_TEMPLATES[WORKFORCE][0], unit, self.end)
        self.objective(
            f"{person.number}-2",
            unit,
            values,
            days_ago=4,
            status="proposed",
            parents=(workforce,),
            owner=person.number,
            by=by,
            written_by="staff",
            theme=WORKFORCE,
        )


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
