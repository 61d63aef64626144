"""The to-do list: what waits for the signed-in person, gathered from every app that has
something for them to do (its queries.py, scoped to the organisation and the person's
roles), and counted in the header.

A kind is declared once in KINDS: its heading, and the published read that lists the
actor's items (``read(actor=, organisation=) -> list[colead.core.todo.ToDo]``). The home
app sits above the domain apps, so it may import their queries; a new app (learning,
leaders) adds a read to its own queries.py and one ToDoKind line here, and the home page,
the to-do page and the header's count follow (docs/architecture.md, "The to-do list").
"""

from collections.abc import Callable
from dataclasses import dataclass

from colead.core.actor import Actor
from colead.core.todo import ToDo
from colead.direction import queries as direction_queries


@dataclass(frozen=True)
class ToDoKind:
    key: str  # the section's id on the page
    heading: str
    read: Callable[..., list[ToDo]]


@dataclass(frozen=True)
class ToDoSection:
    kind: ToDoKind
    items: list[ToDo]


KINDS: list[ToDoKind] = [
    ToDoKind("objectives-to-agree", "Objectives to agree", direction_queries.objectives_to_agree),
    ToDoKind("check-ins-due", "Check-ins due", direction_queries.check_ins_due),
]


def to_do(actor: Actor, organisation, kinds: list[ToDoKind] | None = None) -> list[ToDoSection]:
    """Each kind with what waits for the actor (kinds with nothing are left out)."""
    sections = []
    for kind in KINDS if kinds is None else kinds:
        items = kind.read(actor=actor, organisation=organisation)
        if items:
            sections.append(ToDoSection(kind, items))
    return sections


def count(sections: list[ToDoSection]) -> int:
    return sum(len(section.items) for section in sections)


def for_request(request) -> list[ToDoSection]:
    """The signed-in person's to-do list in the request's organisation, read once a
    request (the header's count and the page share it)."""
    cached = getattr(request, "_colead_to_do", None)
    if cached is None:
        cached = to_do(Actor.from_request(request), request.organisation)
        request._colead_to_do = cached
    return cached
