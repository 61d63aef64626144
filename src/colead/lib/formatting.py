"""Display formatting shared by templates and presenters (no Django imports)."""

from datetime import date, datetime


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y at %H:%M}"


def thousands(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def percent(value: float | None, places: int = 0) -> str:
    return "" if value is None else f"{value * 100:.{places}f}%"
