"""Reference data kept as data files (data/*.csv): staff groups, pay bands and grades,
unit levels and sectors. No Django imports, so import validation can use it anywhere.

Lookups are case-insensitive and accept the display name, the code, or an alias
(a bare band number like ``5`` or ``8a``)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from colead.lib import memory

DATA_DIR = Path(__file__).parent / "data"

UNIT_LEVELS = ("organisation", "division", "directorate", "department", "team")
SECTORS = {
    "acute": "Acute",
    "mental_health": "Mental health",
    "community": "Community",
    "ambulance": "Ambulance",
    "icb": "Integrated care board",
    "other": "Other",
}
POST_LEVELS = {
    "board": "Board",
    "executive": "Executive",
    "senior": "Senior",
    "middle": "Middle",
    "first_line": "First-line",
}
PROTECTED_FIELDS = ("ethnicity", "sex", "disability", "age_band")


@dataclass(frozen=True)
class StaffGroup:
    code: str
    name: str  # ESR's name, as workforce files spell it
    display_name: str  # in plain words, for people: the survey's options and the results


@dataclass(frozen=True)
class Band:
    code: str
    name: str
    kind: str  # "afc" (Agenda for Change) or "medical"
    rank: int  # seniority used by the leadership line; medical grades map onto it


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


@memory.cached
def staff_groups() -> tuple[StaffGroup, ...]:
    with open(DATA_DIR / "staff_groups.csv", newline="", encoding="utf-8") as handle:
        return tuple(
            StaffGroup(row["code"], row["name"], row["display_name"])
            for row in csv.DictReader(handle)
        )


@memory.cached
def bands() -> tuple[Band, ...]:
    with open(DATA_DIR / "bands.csv", newline="", encoding="utf-8") as handle:
        return tuple(
            Band(row["code"], row["name"], row["kind"], int(row["rank"]))
            for row in csv.DictReader(handle)
        )


@memory.cached
def _staff_group_lookup() -> dict[str, StaffGroup]:
    lookup = {}
    for group in staff_groups():
        for text in (group.code, group.name, group.display_name):
            lookup[_group_key(text)] = group
    return lookup


def _group_key(text: str) -> str:
    # "Additional professional, scientific and technical" is also written without commas
    return _normalise(text.replace(",", " "))


@memory.cached
def _band_lookup() -> dict[str, Band]:
    lookup = {}
    with open(DATA_DIR / "bands.csv", newline="", encoding="utf-8") as handle:
        aliases = {row["code"]: row["aliases"] for row in csv.DictReader(handle)}
    for band in bands():
        lookup[_normalise(band.code)] = band
        lookup[_normalise(band.name)] = band
        for alias in filter(None, aliases[band.code].split(";")):
            lookup[_normalise(alias)] = band
    return lookup


def find_staff_group(text: str) -> StaffGroup | None:
    """The staff group by its code, ESR's name or its display name, in any case."""
    return _staff_group_lookup().get(_group_key(text))


def find_band(text: str) -> Band | None:
    return _band_lookup().get(_normalise(text))


def staff_group_name(code: str) -> str:
    """The group's display name: what every page, export heading and message shows."""
    group = find_staff_group(code)
    return group.display_name if group else code


def staff_groups_to_use() -> str:
    """The groups an import file may name, for problem messages. Semicolons part them,
    since a display name may hold a comma."""
    names = "; ".join(group.display_name for group in staff_groups())
    return f"{names} (or ESR's name for the group)"


def esr_staff_group_name(code: str) -> str:
    """ESR's name for the group, only for writing workforce files as ESR spells them."""
    group = find_staff_group(code)
    return group.name if group else code


def band_name(code: str) -> str:
    band = find_band(code)
    return band.name if band else code


def band_rank(code: str) -> int:
    band = find_band(code)
    return band.rank if band else 0


def find_level(text: str) -> str | None:
    value = _normalise(text)
    return value if value in UNIT_LEVELS else None


def find_sector(text: str) -> str | None:
    value = _normalise(text).replace(" ", "_")
    if value in SECTORS:
        return value
    for code, name in SECTORS.items():
        if _normalise(name) == _normalise(text):
            return code
    return None
