"""What the API accepts and returns.

Every response field is listed here explicitly: nothing is serialised from a model by
default, so protected characteristics (ethnicity, sex, disability, age band) can never
leak into a response, and tests/integration/test_api_privacy.py checks that they don't.
"""

import datetime
from typing import Literal

from ninja import Field, Path, Schema
from pydantic import field_validator

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
    people_by_staff_group: dict[str, int] = Field(description="Keyed by staff group name.")
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
