"""The vocabularies of objectives: cultural elements, statuses, directions, agreement
acts and check-in confidence. No Django imports, so the pure modules and the import
validator share them with the models."""

from dataclasses import dataclass

# The six cultural elements of the NHS England Culture and Leadership Programme
# (the codes are the culture pulse instrument's dimensions too).
ELEMENTS = {
    "vision_values": "Vision and values",
    "goals_performance": "Goals and performance",
    "support_compassion": "Support and compassion",
    "learning_innovation": "Learning and innovation",
    "teamwork": "Teamwork",
    "equity_inclusion": "Equity and inclusion",
}

STATUSES = {
    "draft": "Draft",
    "proposed": "Proposed",
    "agreed": "Agreed",
    "active": "Active",
    "achieved": "Achieved",
    "dropped": "Dropped",
}
# Statuses in which an objective has been agreed and counts towards coverage.
LIVE_STATUSES = frozenset({"agreed", "active"})
# Statuses that come after agreement (an import recording them records the agreement).
AGREED_STATUSES = frozenset({"agreed", "active", "achieved"})
# Statuses of objectives still being worked on or towards (orphans are counted among them).
OPEN_STATUSES = frozenset({"draft", "proposed", "agreed", "active"})

DIRECTIONS = {"up": "Higher is better", "down": "Lower is better"}

ACTS = {
    "proposed": "Proposed",
    "agreed": "Agreed",
    "changes_requested": "Changes requested",
}

CONFIDENCE = {
    "high": "On track",
    "medium": "At risk",
    "low": "Off track",
}


def _normalise(text: str) -> str:
    return "_".join(text.strip().lower().replace("&", " and ").replace("-", " ").split())


_ELEMENT_LOOKUP = {
    **{code: code for code in ELEMENTS},
    **{_normalise(title): code for code, title in ELEMENTS.items()},
}


def find_element(text: str) -> str | None:
    """ "goals_performance", "Goals and performance" or "goals & performance" -> the code."""
    return _ELEMENT_LOOKUP.get(_normalise(text))


# Objective codes that would clash with a page's address (/direction/objectives/new/).
RESERVED_OBJECTIVE_CODES = frozenset({"new"})


@dataclass(frozen=True)
class ObjectiveLimits:
    """The most characters an objective's text fields hold. The one source is the model
    (``colead.direction.models.objective_limits()`` reads each field's max_length); the
    Django-free form readers and import validator are handed them."""

    code: int
    title: int
    measure: int
    unit_of_measure: int
