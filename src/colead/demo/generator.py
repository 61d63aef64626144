"""Generates the demo trusts' data: units, workforce and leadership posts, as rows in the
layouts of the import files. Pure Python, no Django: driven by ``random.Random`` so that a
seed and a headcount always give the same rows.

The shape comes from colead.demo.specs. In outline, for each trust:

1. the unit tree: root, divisions, directorates, departments (where a directorate has
   them) and teams, the number of teams scaled to the headcount;
2. leadership roles: executives at the root, divisional and directorate leads, and a
   manager for every team, wired into a reporting line; about 8% are left vacant (their
   reports go to the next leader up) and some are interim;
3. the rest of the headcount spread over the teams by the usual size of each kind of
   team, with the staff-group mix of each team fitted so that the trust as a whole
   matches its target mix (iterative proportional fitting);
4. bands, job titles, line managers inside each team (ward sisters manage some of the
   juniors; resident doctors report to a consultant), further teams, names, emails,
   start dates and protected characteristics.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from colead.demo import names as N
from colead.demo.specs import (
    AC,
    ACS,
    AHP,
    EA,
    HCS,
    KINDS,
    MD,
    NMR,
    STT,
    STU,
    TRUSTS,
    Directorate,
    Division,
    Lead,
    Teams,
    TrustSpec,
)
from colead.org import reference
from colead.org.imports import units as units_file
from colead.org.imports import workforce as workforce_file

# The import files' own layouts, so the demo cannot drift from what the importer reads.
UNIT_COLUMNS = (*units_file.REQUIRED_COLUMNS, *units_file.OPTIONAL_COLUMNS)
WORKFORCE_COLUMNS = (*workforce_file.REQUIRED_COLUMNS, *workforce_file.OPTIONAL_COLUMNS)
POST_COLUMNS = ("title", "level", "unit_code", "holder", "is_interim", "is_critical")

DEFAULT_SEED = 2026
DEFAULT_STAFF = 6000
MIN_STAFF = 300  # below this the fixed leadership structure outnumbers the teams
SECOND_TRUST_MIN = 150

AS_AT = date(2026, 3, 31)  # fixed, so the data does not depend on the day it is built
VACANCY_RATE = 0.08
INTERIM_RATE = 0.06

# Bands of the members of a staff group (percentages).
BAND_MIX: dict[str, dict[str, float]] = {
    NMR: {"band_5": 55, "band_6": 33, "band_7": 9, "band_8a": 2.5, "band_8b": 0.5},
    ACS: {"band_2": 32, "band_3": 54, "band_4": 14},
    AC: {"band_2": 14, "band_3": 32, "band_4": 24, "band_5": 12, "band_6": 8, "band_7": 6,
         "band_8a": 3, "band_8b": 1},
    MD: {"resident_doctor": 56, "consultant": 28, "specialty_doctor": 13, "other_medical": 3},
    AHP: {"band_5": 24, "band_6": 38, "band_7": 28, "band_8a": 8, "band_8b": 2},
    STT: {"band_5": 22, "band_6": 26, "band_7": 27, "band_8a": 17, "band_8b": 6, "band_8c": 2},
    EA: {"band_2": 62, "band_3": 22, "band_4": 10, "band_5": 4, "band_6": 2},
    HCS: {"band_4": 8, "band_5": 20, "band_6": 30, "band_7": 27, "band_8a": 11, "band_8b": 4},
    STU: {"band_3": 55, "band_4": 45},
}  # fmt: skip
# Kinds of team where a group's bands differ from the usual.
BAND_MIX_BY_KIND: dict[tuple[str, str], dict[str, float]] = {
    (AC, "corporate"): {"band_3": 16, "band_4": 22, "band_5": 20, "band_6": 17, "band_7": 14,
                        "band_8a": 8, "band_8b": 3},
    (AC, "admin"): {"band_2": 24, "band_3": 44, "band_4": 25, "band_5": 7},
    (AHP, "theatre"): {"band_5": 45, "band_6": 45, "band_7": 10},
    (NMR, "maternity"): {"band_5": 25, "band_6": 58, "band_7": 15, "band_8a": 2},
    (NMR, "health_visiting"): {"band_5": 25, "band_6": 60, "band_7": 15},
    (NMR, "specialist_nursing"): {"band_5": 5, "band_6": 30, "band_7": 50, "band_8a": 12,
                                  "band_8b": 3},
}  # fmt: skip
CLINICAL_TEAM_ADMIN_BANDS = {"band_2": 30, "band_3": 45, "band_4": 20, "band_5": 5}
FEMALE_SHARE = {
    NMR: 0.89, ACS: 0.80, AC: 0.78, MD: 0.48, AHP: 0.82, STT: 0.70, EA: 0.50, HCS: 0.55,
    STU: 0.86,
}  # fmt: skip
RESIDENT_TITLES = (
    ("Foundation Year 1 Doctor", 20),
    ("Foundation Year 2 Doctor", 18),
    ("Core Trainee", 22),
    ("Specialty Registrar", 40),
)
DEPARTMENT_CODES = {
    "Inpatients": "IP",
    "Emergency Care": "EC",
    "Theatres": "TH",
    "Outpatients and Day Services": "OP",
    "Specialist Nursing": "SN",
    "Medical Staff": "MS",
    "Administration": "AD",
}
KIND_DEFAULT_NAME = {
    "medical": "{specialty} Medical Team",
    "admin": "{directorate} Administration",
    "specialist_nursing": "{directorate} Nurse Specialists",
    "day_unit": "{directorate} Day Unit",
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WARD_BAND_7 = ("Deputy Ward Manager", "Clinical Nurse Educator", "Practice Development Nurse")


@dataclass
class DemoTrust:
    """One generated organisation: rows for the import files, posts and demo personas."""

    code: str
    name: str
    sector: str
    leadership_band_threshold: str
    units: list[dict[str, str]]
    workforce: list[dict[str, str]]
    posts: list[dict[str, str]]
    personas: dict[str, str]  # persona -> employee number

    def units_csv(self) -> bytes:
        return to_csv(self.units, UNIT_COLUMNS)

    def workforce_csv(self) -> bytes:
        return to_csv(self.workforce, WORKFORCE_COLUMNS)

    def posts_csv(self) -> bytes:
        return to_csv(self.posts, POST_COLUMNS)


def to_csv(rows: list[dict[str, str]], columns) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def digest(trusts: list[DemoTrust]) -> str:
    """A fingerprint of everything generated, to show that a seed gives the same data."""
    sha = hashlib.sha256()
    for trust in trusts:
        sha.update(trust.code.encode())
        for part in (trust.units_csv(), trust.workforce_csv(), trust.posts_csv()):
            sha.update(part)
        sha.update(repr(sorted(trust.personas.items())).encode())
    return sha.hexdigest()


def second_trust_staff(staff: int) -> int:
    """DEMO2's headcount: in proportion to DEMO1's, with a floor so it stays a trust."""
    return max(
        SECOND_TRUST_MIN, round(staff * TRUSTS[1].reference_staff / TRUSTS[0].reference_staff)
    )


def generate(seed: int = DEFAULT_SEED, staff: int = DEFAULT_STAFF) -> list[DemoTrust]:
    """Both demo trusts: DEMO1 with ``staff`` people, DEMO2 in proportion."""
    if staff < MIN_STAFF:
        raise ValueError(f"The demo needs at least {MIN_STAFF} staff.")
    return [
        generate_trust(TRUSTS[0], seed=seed, staff=staff),
        generate_trust(TRUSTS[1], seed=seed, staff=second_trust_staff(staff)),
    ]


def generate_trust(spec: TrustSpec, *, seed: int, staff: int) -> DemoTrust:
    # Each trust has its own stream, so changing one never reshuffles the other.
    return _Builder(spec, Random(f"colead-demo:{spec.code}:{seed}"), staff).build()


# --- internals -------------------------------------------------------------------------


@dataclass
class _Team:
    code: str
    name: str
    kind: str
    spec: Teams
    directorate: Directorate
    directorate_code: str
    site: str
    role: "_Role | None" = None
    members: list["_Person"] = field(default_factory=list)


@dataclass
class _Role:
    lead: Lead
    title: str  # the job title
    post_title: str  # the leadership post's title
    unit_code: str
    parent: "_Role | None" = None
    protected: bool = False  # never vacant or interim: a demo user holds it
    vacant: bool = False
    interim: bool = False
    person: "_Person | None" = None

    def holder_above(self) -> "_Person | None":
        """Who this role's people report to when it is vacant: the next leader up."""
        role = self.parent
        while role is not None and role.vacant:
            role = role.parent
        return role.person if role is not None else None


@dataclass
class _Person:
    unit_code: str
    group: str
    band: str
    title: str
    sex: str
    leader: bool = False
    manager: "_Person | None" = None
    teams: list[str] = field(default_factory=list)
    employee_number: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    start_date: str = ""
    ethnicity: str = ""
    recorded_sex: str = ""
    disability: str = ""
    age_band: str = ""


def _track(group: str) -> str:
    if group == MD:
        return "medical"
    if group in (NMR, STU):
        return "nursing"
    return "operational"


def _pick(rng: Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def fit_counts(
    weights: list[dict[str, float]], row_totals: list[int], column_totals: dict[str, int]
) -> list[dict[str, int]]:
    """Whole-number counts per row and column: each row sums to its total, each row keeps
    to the columns its weights allow, and the columns come as close as the rows allow to
    their totals (iterative proportional fitting, then rounding within each row)."""
    columns = list(column_totals)
    table = [[w.get(c, 0.0) for c in columns] for w in weights]
    for _ in range(200):
        for i, row in enumerate(table):
            total = sum(row)
            if total > 0:
                table[i] = [v * row_totals[i] / total for v in row]
        worst = 0.0
        for j, column in enumerate(columns):
            total = sum(row[j] for row in table)
            if total > 0:
                factor = column_totals[column] / total
                worst = max(worst, abs(factor - 1))
                for row in table:
                    row[j] *= factor
        if worst < 1e-6:
            break
    # Round row by row, carrying each column's rounding error on to the next rows, so
    # that small columns (a few students per ward) still add up to their totals.
    result = []
    carry = [0.0] * len(columns)
    for i, row in enumerate(table):
        if sum(row) <= 0:  # nothing fitted this row: fall back to its own weights
            row = [weights[i].get(c, 0.0) for c in columns]
        wanted = [max(0.0, v + carry[j]) if v > 0 else 0.0 for j, v in enumerate(row)]
        counts = _apportion(row_totals[i], wanted if sum(wanted) > 0 else row)
        for j, v in enumerate(row):
            if v > 0:
                carry[j] += v - counts[j]
        result.append({c: n for c, n in zip(columns, counts, strict=True) if n})
    return result


class _Builder:
    def __init__(self, spec: TrustSpec, rng: Random, staff: int):
        self.spec = spec
        self.rng = rng
        self.staff = staff
        self.scale = staff / spec.reference_staff
        self.units: list[dict[str, str]] = []
        self.teams: list[_Team] = []
        self.roles: list[_Role] = []
        self.people: list[_Person] = []
        self.executives: dict[str, _Role] = {}
        self.persona_teams: dict[str, _Team] = {}
        self.ward_names = list(N.WARD_NAMES)
        rng.shuffle(self.ward_names)

    def build(self) -> DemoTrust:
        self._structure()
        self._leadership()
        self._members()
        self._further_teams()
        personas = self._personas()
        self._identities()  # after every change to who is who, so numbers are stable
        return DemoTrust(
            code=self.spec.code,
            name=self.spec.name,
            sector=self.spec.sector,
            leadership_band_threshold=self.spec.band_threshold,
            units=self.units,
            workforce=[self._workforce_row(p) for p in self.people],
            posts=[self._post_row(r) for r in self.roles],
            personas={name: person.employee_number for name, person in personas.items()},
        )

    # 1. Units ------------------------------------------------------------------------

    def _unit(self, code, name, parent, level, site):
        self.units.append(
            {"unit_code": code, "name": name, "parent_code": parent, "level": level, "site": site}
        )

    def _structure(self):
        spec = self.spec
        self._unit(spec.code, spec.name, "", "organisation", spec.main_site)
        for division in spec.divisions:
            self._unit(division.code, division.name, spec.code, "division", spec.main_site)
            for directorate in division.directorates:
                self._directorate(division, directorate)

    def _team_count(self, teams: Teams, first: bool) -> int:
        count = round(teams.count * self.scale)
        # A small trust keeps each directorate's main team, its doctors and the personas.
        keep = first or teams.persona or teams.kind == "medical"
        return max(1, count) if keep else count

    def _directorate(self, division: Division, directorate: Directorate):
        code = f"{division.code}-{directorate.code}"
        site = directorate.site or self.spec.main_site
        self._unit(code, directorate.name, division.code, "directorate", site)
        counts = [self._team_count(t, i == 0) for i, t in enumerate(directorate.teams)]
        departments: dict[str, str] = {}
        sequence: dict[str, int] = {}
        for teams, count in zip(directorate.teams, counts, strict=True):
            kind = KINDS[teams.kind]
            parent = code
            if kind.department and count:
                parent = departments.get(kind.department, "")
                if not parent:
                    parent = f"{code}-{DEPARTMENT_CODES[kind.department]}"
                    departments[kind.department] = parent
                    self._unit(
                        parent, f"{directorate.name}: {kind.department}", code, "department", site
                    )
            for index in range(count):
                sequence[kind.letter] = sequence.get(kind.letter, 0) + 1
                team = _Team(
                    code=f"{code}-{kind.letter}{sequence[kind.letter]:02d}",
                    name=self._team_name(teams, directorate, index, count),
                    kind=teams.kind,
                    spec=teams,
                    directorate=directorate,
                    directorate_code=code,
                    site=teams.site or site,
                )
                self._unit(team.code, team.name, parent, "team", team.site)
                self.teams.append(team)
                if teams.persona and teams.persona not in self.persona_teams:
                    self.persona_teams[teams.persona] = team

    def _team_name(self, teams: Teams, directorate: Directorate, index: int, count: int) -> str:
        values = {
            "directorate": directorate.name,
            "specialty": directorate.specialty or directorate.name,
        }
        if index < len(teams.names):
            return teams.names[index].format(**values)
        if teams.kind == "ward" or (teams.kind == "maternity" and not teams.names):
            return f"{self.ward_names.pop(0)} Ward" if self.ward_names else f"Ward {index + 1}"
        if teams.names:
            return f"{teams.names[-1].format(**values)} {index - len(teams.names) + 2}"
        pattern = KIND_DEFAULT_NAME.get(teams.kind, "{directorate} " + teams.kind.title())
        if teams.profession == "Medical Secretary":
            pattern = "{directorate} Medical Secretaries"
        base = pattern.format(**values)
        return f"{base} {LETTERS[index % 26]}" if count > 1 else base

    # 2. Leadership roles ----------------------------------------------------------------

    def _role(self, lead: Lead, unit_code: str, unit_name: str, parent: "_Role | None"):
        post_title = lead.title if unit_code == self.spec.code else f"{lead.title}, {unit_name}"
        role = _Role(lead, lead.title, post_title, unit_code, parent)
        self.roles.append(role)
        return role

    def _leadership(self):
        self._executive_roles()
        for division in self.spec.divisions:
            self._division_roles(division)
        self._vacancies_and_interims()
        self._appoint_holders()

    def _executive_roles(self):
        spec = self.spec
        for lead in spec.executives:
            self.executives[lead.key] = self._role(lead, spec.code, spec.name, None)
        ceo = self.executives["ceo"]
        for role in self.executives.values():
            if role is not ceo:
                role.parent = ceo
        ceo.protected = True
        if "cn" in self.executives:
            self.executives["cn"].protected = True  # the board persona

    def _route(self, leads: list[_Role], track: str, reports_to: str = "") -> "_Role | None":
        """Whom a lead reports to: the named executive, else the first of ``leads`` on the
        same track, else the first operational one, else the first."""
        if reports_to:
            return self.executives[reports_to]
        for wanted in (track, "operational"):
            for role in leads:
                if role.lead.track == wanted:
                    return role
        return leads[0] if leads else None

    def _division_roles(self, division):
        spec = self.spec
        division_roles = []
        for lead in division.leads or spec.division_leads:
            exec_key = lead.reports_to or spec.track_executive[lead.track]
            division_roles.append(
                self._role(lead, division.code, division.name, self.executives[exec_key])
            )
        for directorate in division.directorates:
            code = f"{division.code}-{directorate.code}"
            directorate_roles = [
                self._role(
                    lead,
                    code,
                    directorate.name,
                    self._route(division_roles, lead.track, lead.reports_to),
                )
                for lead in directorate.leads or spec.directorate_leads
            ]
            for team in self.teams:
                if team.directorate_code == code:
                    self._team_role(team, directorate_roles)

    def _team_role(self, team: _Team, directorate_roles: list[_Role]):
        group, band, title = team.spec.manager or KINDS[team.kind].manager
        if team.kind == "corporate" and not team.spec.manager:
            title = f"{team.spec.profession or 'Business'} Manager"
        lead = Lead(
            _track(group),
            title,
            group,
            band,
            "first_line",
            KINDS[team.kind].critical,
        )
        role = self._role(lead, team.code, team.name, self._route(directorate_roles, lead.track))
        role.protected = bool(team.spec.persona)
        team.role = role

    def _vacancies_and_interims(self):
        """Exactly the expected share of vacancies and interims, placed at random."""
        open_roles = [role for role in self.roles if not role.protected]
        chosen = self.rng.sample(
            open_roles,
            round(len(open_roles) * VACANCY_RATE) + round(len(open_roles) * INTERIM_RATE),
        )
        vacancies = round(len(open_roles) * VACANCY_RATE)
        for role in chosen[:vacancies]:
            role.vacant = True
        for role in chosen[vacancies:]:
            role.interim = True
            senior = role.lead.level in ("board", "executive", "senior")
            role.title = ("Interim " if senior else "Acting ") + role.title

    def _appoint_holders(self):
        """A person for every post that is not vacant, managed by the holder above."""
        for role in self.roles:
            if role.vacant:
                continue
            person = self._person(role.unit_code, role.lead.group, role.lead.band, role.title)
            person.leader = True
            role.person = person
        for role in self.roles:
            if role.person is not None:
                role.person.manager = role.holder_above()

    def _person(self, unit_code: str, group: str, band: str, title: str) -> _Person:
        sex = N.FEMALE if self.rng.random() < FEMALE_SHARE[group] else N.MALE
        person = _Person(unit_code, group, band, title, sex)
        self.people.append(person)
        return person

    # 3. Members of teams -------------------------------------------------------------

    def _members(self):
        rng = self.rng
        teams = self.teams
        remaining = self.staff - len(self.people)
        # Everyone beyond the leaders: at least one per team, the rest by usual team size.
        raw = [rng.randint(*KINDS[t.kind].size) for t in teams]
        extra = _apportion(max(0, remaining - len(teams)), [float(r) for r in raw])
        sizes = [min(1, remaining) + e for e in extra]
        sizes = (
            _apportion(remaining, [float(s) for s in sizes]) if sum(sizes) != remaining else sizes
        )

        mix = self.spec.staff_group_mix
        targets = _apportion(self.staff, [mix[g] for g in mix])
        already: dict[str, int] = {}
        for person in self.people:
            already[person.group] = already.get(person.group, 0) + 1
        wanted = [max(0, t - already.get(g, 0)) for g, t in zip(mix, targets, strict=True)]
        column_totals = dict(
            zip(mix, _apportion(remaining, [float(w) for w in wanted]), strict=True)
        )
        counts = fit_counts(
            [{g: w for g, w in KINDS[t.kind].mix.items() if g in mix} for t in teams],
            sizes,
            column_totals,
        )
        for team, team_counts in zip(teams, counts, strict=True):
            self._fill_team(team, team_counts)

    def _fill_team(self, team: _Team, counts: dict[str, int]):
        rng = self.rng
        kind = KINDS[team.kind]
        manager_group, manager_band, _ = team.spec.manager or kind.manager
        manager_rank = reference.band_rank(manager_band)
        new = []
        for group, count in counts.items():
            bands = BAND_MIX_BY_KIND.get((group, team.kind)) or BAND_MIX[group]
            if group == AC and team.kind not in ("admin", "corporate"):
                bands = CLINICAL_TEAM_ADMIN_BANDS  # a clinical team's receptionist, clerk
            if group == manager_group and group != MD:
                # Nobody in the team outranks its manager; in offices nobody equals them.
                strict = team.kind in ("admin", "corporate")
                capped = {
                    b: w
                    for b, w in bands.items()
                    if reference.band_rank(b) < manager_rank + (0 if strict else 1)
                }
                bands = capped or bands
            for _ in range(count):
                band = _pick(rng, bands)
                person = self._person(team.code, group, band, "")
                person.title = self._title(person, team)
                new.append(person)
        # Seniors first, so that a team's line managers come before their reports.
        new.sort(key=lambda p: -reference.band_rank(p.band))
        team.members = new
        self._line_manage(team)

    def _line_manage(self, team: _Team):
        rng = self.rng
        head = team.role.person if team.role.person else team.role.holder_above()
        manager_group = team.role.lead.group
        if team.kind == "medical":
            consultants = [p for p in team.members if p.band == "consultant"]
            for person in team.members:
                if person.band == "resident_doctor" and consultants:
                    person.manager = rng.choice(consultants)  # educational supervisor
                else:
                    person.manager = head
            return
        deputies = []
        if KINDS[team.kind].deputies:
            deputies = [p for p in team.members if p.group == manager_group and p.band == "band_6"]
        supervisors = [head, *deputies] if head is not None else deputies
        for person in team.members:
            if person in deputies or not supervisors:
                person.manager = head
            elif reference.band_rank(person.band) <= 50 and person.group in (
                manager_group,
                ACS,
                STU,
            ):
                person.manager = rng.choice(supervisors)
            else:
                person.manager = head

    def _title(self, person: _Person, team: _Team) -> str:
        title_of = _TITLE_OF_GROUP.get(person.group, _administrative_title)
        return title_of(person, team, self.rng)

    # 4. Further teams, personas, names ---------------------------------------------------

    def _further_teams(self):
        rng = self.rng
        by_directorate: dict[str, list[_Team]] = {}
        for team in self.teams:
            by_directorate.setdefault(team.directorate_code, []).append(team)
        for team in self.teams:
            siblings = [t for t in by_directorate[team.directorate_code] if t is not team]
            wards = [t for t in siblings if t.kind in ("ward", "day_unit", "critical_care")]
            for person in team.members:
                if person.group == MD and person.band != "resident_doctor" and wards:
                    chance, choices = 0.25, wards  # consultants attached to their wards
                elif team.kind == "specialist_nursing" and wards:
                    chance, choices = 0.3, wards
                else:
                    chance, choices = 0.02, siblings
                if choices and rng.random() < chance:
                    person.teams.append(rng.choice(choices).code)

    def _personas(self) -> dict[str, _Person]:
        """The people the demo users sign in as (see colead.demo.services)."""
        found: dict[str, _Person] = {}
        if "cn" in self.executives and self.executives["cn"].person:
            found["board"] = self.executives["cn"].person
        ward = self.persona_teams.get("manager")
        if ward is not None:
            found["manager"] = ward.role.person
            nurse = next(
                (p for p in ward.members if p.group == NMR and p.band == "band_5"),
                ward.members[0] if ward.members else None,
            )
            if nurse is not None:
                nurse.group, nurse.band, nurse.title = NMR, "band_5", "Staff Nurse"
                nurse.manager = ward.role.person  # reports to the ward manager persona
                found["staff"] = nurse
        od = self.persona_teams.get("od")
        if od is not None:
            found["od"] = od.role.person
            if od.members:
                change = od.members[-1]
                change.group, change.band = AC, "band_6"
                change.title = "Organisational Development Practitioner"
                found["change"] = change
        safety = self.persona_teams.get("safety")
        if safety is not None:
            found["safety"] = safety.role.person
        return {name: person for name, person in found.items() if person is not None}

    def _identities(self):
        rng = self.rng
        numbers = rng.sample(
            range(self.spec.employee_number_base, self.spec.employee_number_base + 9_000_000),
            len(self.people),
        )
        used_emails: dict[str, int] = {}
        mixes = {
            NMR: N.ETHNICITY_MIX_NURSING,
            STU: N.ETHNICITY_MIX_NURSING,
            MD: N.ETHNICITY_MIX_MEDICAL,
        }
        for person, number in zip(self.people, numbers, strict=True):
            person.employee_number = str(number)
            ethnicity = _pick(rng, mixes.get(person.group, N.ETHNICITY_MIX_DEFAULT))
            first_bg, last_bg = N.ETHNICITIES[ethnicity]
            female = person.sex == N.FEMALE
            person.first_name = rng.choice(N.NAMES[first_bg][0 if female else 1])
            person.last_name = rng.choice(N.NAMES[last_bg][2])
            local = f"{_email_part(person.first_name)}.{_email_part(person.last_name)}"
            used_emails[local] = used_emails.get(local, 0) + 1
            if used_emails[local] > 1:
                local += str(used_emails[local])
            person.email = f"{local}@{self.spec.domain}"
            age = self._age(person)
            person.start_date = self._start_date(person, age).isoformat()
            if rng.random() < 0.04:
                continue  # no equality monitoring recorded at all
            person.ethnicity = ethnicity if rng.random() > 0.03 else ""
            person.recorded_sex = person.sex if rng.random() > 0.02 else ""
            person.disability = _pick(rng, N.DISABILITY_MIX)
            if rng.random() > 0.03:
                person.age_band = next(label for lo, hi, label in N.AGE_BANDS if lo <= age <= hi)

    def _age(self, person: _Person) -> int:
        rng, band = self.rng, person.band
        if band == "resident_doctor":
            return int(rng.triangular(23, 36, 27))
        if band in ("consultant", "band_9", "band_8d", "band_8c"):
            return int(rng.triangular(36, 64, 48))
        if person.group == STU:
            return int(rng.triangular(18, 45, 22))
        if reference.band_rank(band) >= 70:
            return int(rng.triangular(28, 64, 45))
        return int(rng.triangular(18, 67, 38))

    def _start_date(self, person: _Person, age: int) -> date:
        rng = self.rng
        if person.band == "resident_doctor" or person.group == STU:
            years = rng.uniform(0, 2)
        else:
            years = min(rng.expovariate(1 / 8), age - 18)
        return AS_AT - timedelta(days=int(years * 365.25) + rng.randint(0, 30))

    # Rows ------------------------------------------------------------------------------

    def _workforce_row(self, person: _Person) -> dict[str, str]:
        return {
            "employee_number": person.employee_number,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "unit_code": person.unit_code,
            "staff_group": reference.esr_staff_group_name(person.group),
            "band": reference.band_name(person.band),
            "job_title": person.title,
            "line_manager": person.manager.employee_number if person.manager else "",
            "start_date": person.start_date,
            "is_leader": "Y" if person.leader else "N",
            "team_codes": ";".join(person.teams),
            "ethnicity": person.ethnicity,
            "sex": person.recorded_sex,
            "disability": person.disability,
            "age_band": person.age_band,
        }

    def _post_row(self, role: _Role) -> dict[str, str]:
        return {
            "title": role.post_title,
            "level": role.lead.level,
            "unit_code": role.unit_code,
            "holder": role.person.employee_number if role.person else "",
            "is_interim": "Y" if role.interim else "N",
            "is_critical": "Y" if role.lead.critical else "N",
        }


def _ladder(profession: str, band: str) -> str:
    return {
        "band_4": f"Assistant {profession}",
        "band_5": profession,
        "band_6": f"Senior {profession}",
        "band_7": f"Clinical Specialist {profession}",
        "band_8a": f"Advanced Practitioner ({profession})",
    }.get(band, f"Consultant {profession}")


def _nursing_title(kind: str, band: str, sex: str, rng: Random) -> str:
    if kind == "maternity":
        return {"band_5": "Midwife", "band_6": "Midwife", "band_7": "Senior Midwife"}.get(
            band, "Consultant Midwife"
        )
    if kind == "health_visiting":
        return {"band_5": "Community Staff Nurse", "band_6": "Specialist Public Health Nurse"}.get(
            band, "Practice Teacher"
        )
    if kind == "community_nursing":
        return {"band_5": "Community Staff Nurse", "band_6": "District Nurse"}.get(
            band, "Senior District Nurse"
        )
    if kind == "theatre":
        return {"band_5": "Theatre Nurse", "band_6": "Senior Theatre Nurse"}.get(
            band, "Theatre Team Leader"
        )
    if kind == "specialist_nursing":
        return {
            "band_5": "Staff Nurse",
            "band_6": "Specialist Nurse",
            "band_7": "Clinical Nurse Specialist",
            "band_8a": "Advanced Nurse Practitioner",
        }.get(band, "Nurse Consultant")
    if band == "band_6":
        if kind in ("ward", "critical_care", "emergency"):
            return "Sister" if sex == N.FEMALE else "Charge Nurse"
        return "Senior Staff Nurse"
    return {
        "band_5": "Staff Nurse",
        "band_7": rng.choice(WARD_BAND_7) if kind == "ward" else "Advanced Nurse Practitioner",
        "band_8a": "Advanced Nurse Practitioner",
    }.get(band, "Nurse Consultant")


def _corporate_title(stem: str, band: str) -> str:
    return {
        "band_2": f"{stem} Assistant",
        "band_3": f"{stem} Assistant",
        "band_4": f"{stem} Officer",
        "band_5": f"{stem} Officer",
        "band_6": f"Senior {stem} Officer",
        "band_7": f"{stem} Lead",
        "band_8a": f"{stem} Manager",
        "band_8b": f"Senior {stem} Manager",
    }.get(band, f"Head of {stem}")


# A member's job title, by staff group: each from the group's band and the team's kind (and
# profession); the random draws are part of the seeded data, so each function makes the same
# draws in the same order whatever the band.


def _medical_title(person: _Person, team: _Team, rng: Random) -> str:
    specialty = team.directorate.specialty or team.directorate.name
    if person.band == "resident_doctor":
        titles = dict(RESIDENT_TITLES)
        return _pick(rng, titles)
    return {
        "consultant": f"Consultant in {specialty}",
        "specialty_doctor": f"Specialty Doctor in {specialty}",
    }.get(person.band, "Clinical Fellow")


def _allied_health_title(person: _Person, team: _Team, rng: Random) -> str:
    default = {"theatre": "Operating Department Practitioner", "imaging": "Radiographer"}
    return _ladder(team.spec.profession or default.get(team.kind, "Physiotherapist"), person.band)


def _healthcare_scientist_title(person: _Person, team: _Team, rng: Random) -> str:
    if team.kind != "laboratory":
        return _ladder(team.spec.profession or "Healthcare Scientist", person.band)
    return {
        "band_4": "Associate Practitioner",
        "band_5": "Biomedical Scientist",
        "band_6": "Specialist Biomedical Scientist",
        "band_7": "Senior Biomedical Scientist",
        "band_8a": "Clinical Scientist",
    }.get(person.band, "Principal Clinical Scientist")


def _scientific_technical_title(person: _Person, team: _Team, rng: Random) -> str:
    if team.kind == "psychology":
        return {
            "band_5": "Assistant Psychologist",
            "band_6": "Assistant Psychologist",
            "band_7": "Clinical Psychologist",
            "band_8a": "Senior Clinical Psychologist",
            "band_8b": "Principal Clinical Psychologist",
        }.get(person.band, "Consultant Clinical Psychologist")
    return {
        "band_5": "Pharmacy Technician",
        "band_6": rng.choice(("Pharmacist", "Senior Pharmacy Technician")),
        "band_7": "Specialist Pharmacist",
        "band_8a": "Advanced Pharmacist",
        "band_8b": "Principal Pharmacist",
    }.get(person.band, "Consultant Pharmacist")


def _registered_nursing_title(person: _Person, team: _Team, rng: Random) -> str:
    return _nursing_title(team.kind, person.band, person.sex, rng)


def _clinical_support_title(person: _Person, team: _Team, rng: Random) -> str:
    title = {
        "maternity": "Maternity Support Worker",
        "theatre": "Theatre Support Worker",
        "therapy": "Therapy Assistant",
        "imaging": "Imaging Assistant",
        "laboratory": "Medical Laboratory Assistant",
        "pharmacy": "Pharmacy Assistant",
        "physiology": "Physiology Assistant",
        "health_visiting": "Community Nursery Nurse",
        "community_nursing": "Community Healthcare Support Worker",
    }.get(team.kind, "Healthcare Support Worker")
    if team.name.startswith("Phlebotomy"):
        title = "Phlebotomist"
    if person.band == "band_4":
        return "Assistant Practitioner"
    return f"Senior {title}" if person.band == "band_3" else title


def _student_title(person: _Person, team: _Team, rng: Random) -> str:
    if team.kind == "maternity":
        return "Student Midwife (Apprentice)"
    return "Trainee Nursing Associate" if person.band == "band_3" else "Nursing Degree Apprentice"


def _estates_title(person: _Person, team: _Team, rng: Random) -> str:
    if team.kind != "estates":
        return "Housekeeper" if team.kind == "ward" else "Facilities Assistant"
    p = team.spec.profession or "Facilities Assistant"
    return {
        "band_2": p,
        "band_3": f"Senior {p}",
        "band_4": "Team Leader",
        "band_5": "Supervisor",
    }.get(person.band, "Deputy Manager")


def _administrative_title(person: _Person, team: _Team, rng: Random) -> str:
    band, kind, profession = person.band, team.kind, team.spec.profession
    if kind in ("ward", "critical_care", "maternity"):
        return "Ward Clerk" if band in ("band_2", "band_3") else "Ward Administrator"
    if kind == "medical":
        return "Medical Secretary" if band != "band_2" else "Secretarial Assistant"
    if kind == "corporate":
        return _corporate_title(profession or "Business", band)
    if kind != "admin":  # the administrator of a clinical team
        return {
            "band_2": "Receptionist",
            "band_3": "Team Administrator",
            "band_4": "Service Coordinator",
        }.get(band, "Senior Administrator")
    if profession == "Medical Secretary":
        return {
            "band_2": "Secretarial Assistant",
            "band_3": "Medical Secretary",
            "band_4": "Senior Medical Secretary",
        }.get(band, "Secretaries Team Leader")
    return {
        "band_2": rng.choice(("Receptionist", "Administrative Assistant")),
        "band_3": rng.choice(("Administrator", "Booking Clerk", "Health Records Clerk")),
        "band_4": rng.choice(("Senior Administrator", "Personal Assistant")),
    }.get(band, "Administration Team Leader")


# Any other group (administrative and clerical) gets ``_administrative_title``.
_TITLE_OF_GROUP = {
    MD: _medical_title,
    AHP: _allied_health_title,
    HCS: _healthcare_scientist_title,
    STT: _scientific_technical_title,
    NMR: _registered_nursing_title,
    ACS: _clinical_support_title,
    STU: _student_title,
    EA: _estates_title,
}


def _email_part(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())
