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
    name: str


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
        return tuple(StaffGroup(row["code"], row["name"]) for row in csv.DictReader(handle))


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
        lookup[_normalise(group.code)] = group
        lookup[_normalise(group.name)] = group
    return lookup


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
    return _staff_group_lookup().get(_normalise(text))


def find_band(text: str) -> Band | None:
    return _band_lookup().get(_normalise(text))


def staff_group_name(code: str) -> str:
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
