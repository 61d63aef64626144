"""What the API accepts and returns.

Every response field is listed here explicitly: nothing is serialised from a model by
default, so protected characteristics (ethnicity, sex, disability, age band) can never
leak into a response, and tests/integration/test_api_privacy.py checks that they don't.
"""

import datetime
from typing import Any, Literal

from ninja import Field, Path, Schema
from pydantic import field_validator

from colead.direction.models import objective_limits
from colead.org import reference

UnitLevelCode = Literal["organisation", "division", "directorate", "department", "team"]
SectorCode = Literal["acute", "mental_health", "community", "ambulance", "icb", "other"]

# Path parameters, described once for every operation.
OrgCode = Path[str, {"description": "The organisation's code, like an ODS code (e.g. `RXX`)."}]
UnitCode = Path[str, {"description": "A unit's code within the organisation."}]
EmployeeNumber = Path[str, {"description": "A person's employee number in the organisation."}]

MAX_PAGE = 500
MAX_OFFSET = 10_000_000


# ----- errors ----------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words.")


class FieldError(Schema):
    type: str = Field(description="A machine-readable kind of error.")
    loc: list[str | int] = Field(
        description='Where: the source then the field, e.g. ["query", "staff_group"].'
    )
    msg: str = Field(description="What is wrong with the value.")


class ValidationErrorOut(Schema):
    detail: list[FieldError]


ERRORS = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
}
ERRORS_AND_VALIDATION = {**ERRORS, 422: ValidationErrorOut}


# ----- the caller and their organisations ------------------------------------------------


class RoleOut(Schema):
    role: str = Field(description="Stable role name, e.g. `manager`.", examples=["manager"])
    name: str = Field(description="The role's display name.", examples=["Manager"])
    unit_code: str | None = Field(
        description="The unit whose subtree the role covers; null for the whole organisation."
    )


class OrganisationRolesOut(Schema):
    code: str = Field(description="The organisation's code (like an ODS code).")
    name: str
    sector: SectorCode
    roles: list[RoleOut] = Field(description="The caller's roles in this organisation.")
    employee_number: str | None = Field(
        description="The caller's own staff record in this organisation, if linked."
    )


class MeOut(Schema):
    email: str
    full_name: str
    organisations: list[OrganisationRolesOut]


# ----- organisations ---------------------------------------------------------------------


class LeadershipPostCounts(Schema):
    filled: int
    vacant: int
    critical_vacant: int


class OrganisationSummaryOut(Schema):
    people_total: int = Field(description="Current staff (leavers excluded).")
    units_total: int = Field(description="Active units.")
    units_by_level: dict[str, int]
    people_by_staff_group: dict[str, int] = Field(description="Keyed by staff group display name.")
    people_by_band: dict[str, int] = Field(description="Keyed by band or grade name.")
    leaders: int
    leadership_posts: LeadershipPostCounts | None = Field(
        description="Null unless the caller may see leadership posts organisation-wide."
    )


class OrganisationOut(OrganisationRolesOut):
    sector_name: str
    summary: OrganisationSummaryOut | None = Field(
        description="Null unless the caller may see the whole organisation's structure."
    )


# ----- units -----------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str
    level: UnitLevelCode
    site: str
    parent_code: str | None = Field(
        description="Null for the top of the structure, and for the top of what the caller may see."
    )
    depth: int = Field(description="0 for the organisation's root unit.")
    is_active: bool
    headcount: int = Field(description="Current staff in this unit and every unit below it.")
    headcount_direct: int = Field(description="Current staff whose primary unit is this one.")


class UnitNodeOut(UnitOut):
    children: list["UnitNodeOut"]


UnitNodeOut.model_rebuild()


class UnitListQuery(Schema):
    level: UnitLevelCode | None = Field(None, description="Only units at this level.")


# ----- people ----------------------------------------------------------------------------


class PersonOut(Schema):
    employee_number: str
    first_name: str
    last_name: str
    email: str
    unit_code: str = Field(description="The person's primary unit.")
    staff_group: str = Field(description="The staff group's display name.")
    band: str = Field(description="The band or grade's display name.")
    job_title: str
    line_manager: str | None = Field(description="The line manager's employee number.")
    start_date: datetime.date | None
    leaving_date: datetime.date | None
    is_leader: bool


class PeopleQuery(Schema):
    unit: str | None = Field(
        None,
        description="A unit code: only people whose primary unit is this unit or below it.",
        max_length=40,
    )
    staff_group: str | None = Field(
        None, description="A staff group code or name, e.g. `medical_dental`.", max_length=100
    )
    band: str | None = Field(
        None,
        description="A band or grade code, name or number, e.g. `band_7` or `8a`.",
        max_length=100,
    )
    leaders_only: bool = Field(False, description="Only people who count as leaders.")
    include_leavers: bool = Field(False, description="Also people who have left.")
    limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"Page size, at most {MAX_PAGE}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many people to skip.")

    @field_validator("staff_group")
    @classmethod
    def _known_staff_group(cls, value: str | None) -> str | None:
        if value is None:
            return None
        group = reference.find_staff_group(value)
        if group is None:
            raise ValueError(f"Unknown staff group {value!r}.")
        return group.code

    @field_validator("band")
    @classmethod
    def _known_band(cls, value: str | None) -> str | None:
        if value is None:
            return None
        band = reference.find_band(value)
        if band is None:
            raise ValueError(f"Unknown band or grade {value!r}.")
        return band.code


class PeoplePageOut(Schema):
    count: int = Field(description="How many people match, across all pages.")
    limit: int
    offset: int
    items: list[PersonOut]


# ----- surveys ---------------------------------------------------------------------------

WaveStatusCode = Literal["draft", "open", "closed"]
ItemTypeCode = Literal["scale", "yes_no", "single_choice", "multiple_choice", "number", "free_text"]
RefusalReason = Literal["invalid", "used", "closed", "not_open"]

MAX_WAVE_ID = 2**63 - 1
WaveId = Path[int, {"description": "A survey wave's id.", "ge": 1, "le": MAX_WAVE_ID}]
DeviceSlug = Path[
    str, {"description": "A shared device link's slug, from its address or QR poster."}
]
INSTRUMENT_REF = r"^[a-z][a-z0-9-]{1,49}(@[0-9]{1,6})?$"


def _no_nul(value: str, what: str) -> str:
    # PostgreSQL refuses NUL characters in text: refuse them here, with the field named.
    if "\x00" in value:
        raise ValueError(f"The {what} must not contain NUL characters.")
    return value


class RefusedOut(Schema):
    detail: str = Field(description="Why the survey token or link cannot be used, in words.")
    reason: RefusalReason = Field(
        description="`invalid` (unknown or garbled), `used` (answers already sent), "
        "`closed` (the wave has closed) or `not_open` (the wave has not opened)."
    )


class WaveOut(Schema):
    id: int
    title: str
    status: WaveStatusCode
    opens_on: datetime.date | None = Field(description="Null until set or launched.")
    closes_on: datetime.date | None
    reporting_threshold: int = Field(
        description="Counts below this are never shown (as `fewer than N`)."
    )
    comment_threshold: int
    respondent_chooses_unit: bool = Field(
        description="Respondents pick their team instead of it being taken from ESR."
    )
    instruments: list[str] = Field(
        description="The wave's instruments in order, as `code@version`.",
        examples=[["culture-pulse@1"]],
    )
    units: list[str] | None = Field(
        description="Codes of the units surveyed (and everything below them). Null unless "
        "the caller may see response rates for the whole organisation."
    )
    staff_groups: list[str] = Field(description="Staff group codes invited; empty: everyone.")
    launched_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class WaveIn(Schema):
    model_config = {"extra": "forbid"}

    title: str = Field(max_length=200, description="What respondents and staff see.")
    instruments: list[str] = Field(
        min_length=1,
        max_length=20,
        description="Instrument codes, each optionally with `@version` (latest otherwise).",
        examples=[["culture-pulse", "team-working@1"]],
    )
    units: list[str] = Field(
        min_length=1,
        max_length=500,
        description="Codes of the units to survey: everyone in each unit's subtree is invited.",
    )
    staff_groups: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Only these staff groups (codes or names); empty or absent: everyone.",
    )
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    reporting_threshold: int = Field(
        11, ge=5, le=1000, description="Counts below this are hidden; at least 5."
    )
    comment_threshold: int = Field(
        10, ge=5, le=1000, description="Comments are shown only for groups this big."
    )
    respondent_chooses_unit: bool = False

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _no_nul(value, "title")

    @field_validator("instruments", "units", "staff_groups")
    @classmethod
    def _codes(cls, values: list[str]) -> list[str]:
        for value in values:
            _no_nul(value, "codes")
            if len(value) > 100:
                raise ValueError(f"{value[:20]!r}... is too long for a code.")
        return values


class OptionOut(Schema):
    code: str = Field(description="What to send as the answer.")
    label: str


class ShowIfOut(Schema):
    item: str = Field(description="The item whose answer decides.")
    values: list[str] = Field(description="Ask this item only if that answer is one of these.")


class FormItemOut(Schema):
    code: str = Field(description="The key of this item's answer.")
    text: str
    hint: str
    type: ItemTypeCode
    options: list[OptionOut] = Field(
        description="For scale, yes/no and choice items, the options in order."
    )
    dont_know: bool = Field(description='Whether "dk" (don\'t know) is an accepted answer.')
    required: bool
    show_if: ShowIfOut | None = Field(description="Null: always asked.")
    min: float | None = Field(description="For number items, the smallest accepted.")
    max: float | None = Field(description="For number items, the largest accepted.")
    max_length: int | None = Field(description="For free text, the most characters accepted.")


class FormSectionOut(Schema):
    code: str
    title: str
    items: list[FormItemOut]


class FormInstrumentOut(Schema):
    code: str
    version: int
    title: str
    description: str
    sections: list[FormSectionOut]


class UnitChoiceOut(Schema):
    code: str
    name: str


class FormOut(Schema):
    wave_id: int
    title: str
    closes_on: datetime.date | None
    respondent_chooses_unit: bool = Field(
        description="If true, a submission must name one of `reporting_units`."
    )
    reporting_units: list[UnitChoiceOut] = Field(
        description="The teams a respondent may choose from; empty unless they choose."
    )
    instruments: list[FormInstrumentOut] = Field(description="In the order they are asked.")


class SubmissionIn(Schema):
    model_config = {"extra": "forbid"}

    answers: dict[str, Any] = Field(
        description="`{item_code: value}` for the whole response. Scale items take the "
        'option code (`"1"` to the number of points) or `"dk"` where allowed; yes/no `"yes"` '
        'or `"no"`; single choice an option code; multiple choice a list of option codes; '
        "number a number; free text a string. Null or absent: not answered.",
        examples=[{"vv1": "4", "in_team": "yes", "comment": "More breaks, please."}],
    )
    reporting_unit: str | None = Field(
        None,
        max_length=40,
        description="A unit code from the form's `reporting_units`, when the wave lets "
        "respondents choose their team (and only then).",
    )


class SubmittedOut(Schema):
    status: Literal["stored"]


class DeviceStartOut(Schema):
    token: str = Field(
        description="A fresh token for one response on this device: send it as "
        "`X-Survey-Token` to read the form and to submit. It works once."
    )
    wave_id: int
    title: str


class RateOut(Schema):
    invited: int | None = Field(description="Null when below the reporting threshold.")
    responded: int | None = Field(description="Null when below the reporting threshold.")
    rate: float | None = Field(
        description="Responded over invited, 0 to 1; null when either count is hidden or "
        "nobody was invited (shared-device responses alone)."
    )
    invited_text: str = Field(examples=["23", "fewer than 11"])
    responded_text: str = Field(examples=["fewer than 11"])
    suppressed: bool = Field(description="True when any count in this row is hidden.")


class UnitRateOut(RateOut):
    code: str
    name: str
    parent_code: str | None = Field(description="Null for the top of the table.")
    depth: int = Field(description="Levels below the top of the table (0 for a top unit).")


class StaffGroupRateOut(RateOut):
    code: str
    name: str


class PeriodOut(Schema):
    first: datetime.date
    last: datetime.date
    label: str
    responses: int | None = Field(description="Null when below the reporting threshold.")
    cumulative: int | None
    suppressed: bool


class RatesOut(Schema):
    wave_id: int
    status: WaveStatusCode
    threshold: int = Field(description="The wave's reporting threshold.")
    fewer_than: str = Field(
        description="The label used for hidden counts.", examples=["fewer than 11"]
    )
    scope: list[str] = Field(description="Codes of the units these rates cover.")
    units: list[UnitRateOut] = Field(
        description="Each unit in scope that anyone was invited from or answered for, with "
        "everything below it counted in, in tree order."
    )
    staff_groups: list[StaffGroupRateOut] = Field(
        description="By staff group (invitations only: shared-device and imported "
        "responses have none)."
    )
    shared_device_responses: int | None = Field(
        description="Responses from shared devices; null when below the threshold."
    )
    imported_responses: int | None = Field(
        description="Responses imported from files (`colead import responses`); they count "
        "towards their unit like shared-device ones; null when below the threshold."
    )
    by_day: list[PeriodOut] = Field(
        description="Responses by period of consecutive days, each period at least the "
        "threshold (one hidden period when the total is below it)."
    )


class RatesQuery(Schema):
    unit: str | None = Field(
        None, max_length=40, description="Only this unit and below (inside what you may see)."
    )


# ----- objectives and the vision ---------------------------------------------------------

ObjectiveCode = Path[str, {"description": "An objective's code within the organisation."}]
ElementCode = Literal[
    "vision_values",
    "goals_performance",
    "support_compassion",
    "learning_innovation",
    "teamwork",
    "equity_inclusion",
]
ObjectiveStatusCode = Literal["draft", "proposed", "agreed", "active", "achieved", "dropped"]
SettableStatus = Literal["draft", "active", "achieved", "dropped"]
DirectionCode = Literal["up", "down"]
ActCode = Literal["proposed", "agreed", "changes_requested"]
ConfidenceCode = Literal["high", "medium", "low"]
QualityCheckName = Literal["clear", "aligned", "agreed", "challenging", "recent"]
ObjectiveLevel = Literal[
    "organisation", "division", "directorate", "department", "team", "individual"
]


class QualityCheckOut(Schema):
    name: QualityCheckName
    passed: bool | None = Field(description="Null when it cannot be judged.")
    reasons: list[str] = Field(description="Why it failed, and what to do.")


class ObjectiveOut(Schema):
    code: str
    title: str
    description: str
    level: ObjectiveLevel = Field(description="The unit's level, or `individual`.")
    unit_code: str
    unit_name: str
    owner: str | None = Field(description="The owner's employee number (individual objectives).")
    owner_name: str | None
    parent_codes: list[str] = Field(description="The objectives it serves.")
    elements: list[ElementCode]
    measure: str
    unit_of_measure: str
    baseline: float | None
    target: float | None
    direction: DirectionCode = Field(description="`up`: higher is better; `down`: lower.")
    due_date: datetime.date | None
    status: ObjectiveStatusCode
    agreed_at: datetime.datetime | None = Field(description="When agreement was recorded.")
    quality: list[QualityCheckOut] = Field(
        description="Clear, aligned, agreed, challenging and recent (not stale)."
    )
    markers: list[str] = Field(
        description="The failed checks as shown on pages.", examples=[["Orphan", "Stale"]]
    )
    aligned_path: list[str] = Field(
        description="Codes from this objective up to an organisation objective; empty when "
        "it is not aligned."
    )


class ObjectivePageOut(Schema):
    count: int = Field(description="How many objectives match, across all pages.")
    limit: int
    offset: int
    items: list[ObjectiveOut]


class ObjectiveQuery(Schema):
    unit: str | None = Field(
        None, max_length=40, description="Only objectives of this unit and the units below it."
    )
    status: ObjectiveStatusCode | None = Field(None, description="Only objectives in this status.")
    owner: str | None = Field(
        None, max_length=30, description="Only this person's individual objectives."
    )
    individual: bool | None = Field(
        None, description="true: individual objectives only; false: units' objectives only."
    )
    limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"Page size, at most {MAX_PAGE}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many objectives to skip.")


class CheckInOut(Schema):
    date: datetime.date
    value: float | None
    confidence: ConfidenceCode | None
    comment: str
    by: str = Field(
        description="Who checked in (email, or `system (reason)`, e.g. `system (cli)`)."
    )


class ActOut(Schema):
    act: ActCode
    comment: str
    by: str = Field(description="Who (email, or `system (reason)`, e.g. `system (cli)`).")
    at: datetime.datetime


class ObjectiveDetailOut(ObjectiveOut):
    child_codes: list[str] = Field(description="The objectives that serve it, that you may see.")
    check_ins: list[CheckInOut] = Field(description="Oldest first.")
    acts: list[ActOut] = Field(description="Proposals, agreements and requests for changes.")


def _no_nul_fields(values: dict) -> dict:
    for name, value in values.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str):
                _no_nul(text, name.replace("_", " "))
    return values


# The objective's text limits are its model fields' (one source for the API, the forms,
# the import and the services).
OBJECTIVE_LIMITS = objective_limits()


class ObjectiveIn(Schema):
    model_config = {"extra": "forbid"}

    code: str = Field(
        max_length=OBJECTIVE_LIMITS.code, description="Letters, digits, `.`, `-`, `_`."
    )
    title: str = Field(max_length=OBJECTIVE_LIMITS.title)
    unit: str = Field(max_length=40, description="The code of the objective's unit.")
    owner: str | None = Field(
        None,
        max_length=30,
        description="An employee number, for an individual objective (its unit must be the "
        "owner's team or above it).",
    )
    parents: list[str] = Field(
        default_factory=list, max_length=50, description="Codes of the objectives it serves."
    )
    description: str = Field("", max_length=5000)
    elements: list[ElementCode] = Field(default_factory=list, max_length=6)
    measure: str = Field("", max_length=OBJECTIVE_LIMITS.measure)
    unit_of_measure: str = Field("", max_length=OBJECTIVE_LIMITS.unit_of_measure)
    baseline: float | None = None
    target: float | None = None
    direction: DirectionCode = "up"
    due_date: datetime.date | None = None

    @field_validator("code", "title", "unit", "owner", "parents", "description", "measure")
    @classmethod
    def _text(cls, value, info):
        _no_nul_fields({info.field_name: value})
        return value


class ObjectivePatch(Schema):
    """Only the fields sent are changed; send null to clear an optional one."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(None, max_length=OBJECTIVE_LIMITS.title)
    unit: str | None = Field(None, max_length=40)
    owner: str | None = Field(None, max_length=30)
    parents: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=5000)
    elements: list[ElementCode] | None = Field(None, max_length=6)
    measure: str | None = Field(None, max_length=OBJECTIVE_LIMITS.measure)
    unit_of_measure: str | None = Field(None, max_length=OBJECTIVE_LIMITS.unit_of_measure)
    baseline: float | None = None
    target: float | None = None
    direction: DirectionCode | None = None
    due_date: datetime.date | None = None
    status: SettableStatus | None = Field(
        None,
        description="Start (`active`), achieve, drop, or take a dropped one up again "
        "(`draft`). Proposing and agreeing are acts: POST them to `/acts`.",
    )

    @field_validator("title", "unit", "owner", "parents", "description", "measure")
    @classmethod
    def _text(cls, value, info):
        _no_nul_fields({info.field_name: value})
        return value


class CheckInIn(Schema):
    model_config = {"extra": "forbid"}

    date: datetime.date
    value: float | None = None
    confidence: ConfidenceCode | None = None
    comment: str = Field("", max_length=2000)

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str) -> str:
        return _no_nul(value, "comment")


class ActIn(Schema):
    model_config = {"extra": "forbid"}

    act: ActCode = Field(
        description="`proposed` (the owner, or a manager of the unit), `agreed` or "
        "`changes_requested` (the unit's manager, or the owner's line manager; a comment "
        "is required when asking for changes)."
    )
    comment: str = Field("", max_length=2000)

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str) -> str:
        return _no_nul(value, "comment")


class CoverageQuery(Schema):
    # None: the organisation's own rule (its quality settings; 5 and 60 unless changed).
    thicket_limit: int | None = Field(
        None,
        ge=1,
        le=1000,
        description="More active objectives is a thicket (default: the organisation's rule).",
    )
    stale_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="No check-in for longer is stale (default: the organisation's rule).",
    )


class CoverageObjectiveOut(Schema):
    code: str
    title: str
    unit_code: str | None
    status: ObjectiveStatusCode
    individual: bool


class StaleObjectiveOut(CoverageObjectiveOut):
    days_since_check_in: int


class ThicketOut(Schema):
    code: str
    name: str
    active_objectives: int


class CoverageGroupOut(Schema):
    code: str
    name: str
    level: Literal["division", "directorate"]
    parent_code: str | None = Field(description="A directorate's division.")
    team_coverage: float
    teams: int
    teams_covered: int
    staff_coverage: float
    staff: int
    staff_covered: int
    objectives: int
    orphans: int
    thickets: int
    stale: int


class CoverageRulesOut(Schema):
    challenge_margin: float = Field(
        description="A target must beat its baseline by this share of it (0.05 is 5%)."
    )
    thicket_limit: int = Field(description="More active objectives in one unit is a thicket.")
    stale_days: int = Field(description="No check-in for longer is stale.")
    trend_min_points: int = Field(description="Check-ins needed to judge a trend.")


class CoverageOut(Schema):
    as_of: datetime.date
    settings: CoverageRulesOut = Field(
        description="The quality rules these figures were judged by: the organisation's own, "
        "with any given in the query in their place."
    )
    team_coverage: float = Field(
        description="Share (0 to 1) of active teams with at least one agreed or active "
        "objective aligned to an organisation objective."
    )
    teams: int
    teams_covered: int
    staff_coverage: float = Field(
        description="Share (0 to 1) of current staff with an agreed or active individual "
        "objective aligned to an organisation objective."
    )
    staff: int
    staff_covered: int
    objectives: int = Field(description="Open objectives (draft, proposed, agreed, active).")
    orphans: int
    thickets: int
    stale: int
    orphan_objectives: list[CoverageObjectiveOut]
    thicket_units: list[ThicketOut]
    stale_objectives: list[StaleObjectiveOut]
    uncovered_teams: list[str]
    by_division: list[CoverageGroupOut]
    by_directorate: list[CoverageGroupOut]


class ValueOut(Schema):
    name: str
    description: str


class VisionOut(Schema):
    version: int
    status: Literal["draft", "approved"]
    vision: str
    mission: str
    values: list[ValueOut]
    approved_on: datetime.date | None = Field(description="The board meeting's date.")
    approved_by: str | None
    approval_note: str


class VisionStateOut(Schema):
    current: VisionOut | None = Field(description="The approved vision; null before the first.")
    draft: VisionOut | None = Field(
        description="A newer draft, for those who may draft or approve the vision."
    )


class ValueIn(Schema):
    model_config = {"extra": "forbid"}

    name: str = Field(max_length=100)
    description: str = Field("", max_length=1000)

    @field_validator("name", "description")
    @classmethod
    def _text(cls, value: str, info) -> str:
        return _no_nul(value, info.field_name)


class VisionIn(Schema):
    model_config = {"extra": "forbid"}

    vision: str = Field(max_length=5000)
    mission: str = Field("", max_length=5000)
    values: list[ValueIn] = Field(default_factory=list, max_length=20)

    @field_validator("vision", "mission")
    @classmethod
    def _text(cls, value: str, info) -> str:
        return _no_nul(value, info.field_name)


class VisionApproveIn(Schema):
    model_config = {"extra": "forbid"}

    version: int = Field(ge=1, le=1_000_000, description="The draft's version number.")
    approved_on: datetime.date = Field(description="The date of the board meeting.")
    note: str = Field("", max_length=300, examples=["Board meeting, minute 4.2"])

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return _no_nul(value, "note")
