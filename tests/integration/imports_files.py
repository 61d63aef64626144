"""Building import files for the import tests: from the current records (so that a test
can change one thing and see exactly that change), or from rows."""

import csv
import io

from openpyxl import Workbook

from colead.org import reference
from colead.org.imports.workforce import REQUIRED_COLUMNS
from colead.org.models import Person, ProtectedCharacteristics, TeamMembership, Unit

UNIT_COLUMNS = ["unit_code", "name", "parent_code", "level", "site"]


def to_csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict], columns: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def unit_rows(organisation) -> list[dict]:
    units = list(Unit.objects.for_org(organisation).filter(is_active=True).select_related("parent"))
    return [
        {
            "unit_code": u.code,
            "name": u.name,
            "parent_code": u.parent.code if u.parent_id else "",
            "level": u.level,
            "site": u.site,
        }
        for u in units
    ]


def workforce_rows(organisation, *, teams=False, protected=False) -> dict[str, dict]:
    """The organisation's current people as workforce-file rows, by employee number."""
    people = (
        Person.objects.for_org(organisation)
        .current()
        .select_related("primary_unit", "line_manager")
        .order_by("employee_number")
    )
    rows = {}
    for p in people:
        rows[p.employee_number] = {
            "employee_number": p.employee_number,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "email": p.email,
            "unit_code": p.primary_unit.code,
            "staff_group": reference.esr_staff_group_name(p.staff_group),
            "band": reference.band_name(p.band),
            "job_title": p.job_title,
            "line_manager": p.line_manager.employee_number if p.line_manager_id else "",
            "start_date": p.start_date.isoformat() if p.start_date else "",
            "is_leader": "Y" if p.leader_flag else "N",
        }
    if teams:
        for row in rows.values():
            row["team_codes"] = ""
        memberships = TeamMembership.objects.filter(person__organisation=organisation)
        for number, code in memberships.values_list("person__employee_number", "unit__code"):
            if number in rows:
                codes = [c for c in rows[number]["team_codes"].split(";") if c]
                rows[number]["team_codes"] = ";".join(sorted([*codes, code]))
    if protected:
        for row in rows.values():
            row.update(dict.fromkeys(reference.PROTECTED_FIELDS, ""))
        stored = ProtectedCharacteristics.objects.filter(person__organisation=organisation)
        for pc in stored.select_related("person"):
            if pc.person.employee_number in rows:
                rows[pc.person.employee_number].update(pc.as_dict())
    return rows


def workforce_csv(rows: dict[str, dict] | list[dict], *, extra: tuple[str, ...] = ()) -> bytes:
    values = list(rows.values()) if isinstance(rows, dict) else rows
    return to_csv(values, [*REQUIRED_COLUMNS, *extra])


def new_person(number, unit="W2", **overrides) -> dict:
    row = {
        "employee_number": number,
        "first_name": "Nia",
        "last_name": "Newstarter",
        "email": f"{number.lower()}@example.nhs.uk",
        "unit_code": unit,
        "staff_group": "Allied Health Professionals",
        "band": "Band 6",
        "job_title": "Physiotherapist",
        "line_manager": "",
        "start_date": "2026-01-05",
        "is_leader": "N",
    }
    row.update(overrides)
    return row
