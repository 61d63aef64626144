"""The to-do list: what waits for the signed-in person, gathered from every app that has
something for them to do (its queries.py, scoped to the organisation and the person's
roles), and counted in the header.

A kind is declared once in KINDS: its heading, the published read that lists the actor's
items (``read(actor=, organisation=) -> list[colead.core.todo.ToDo]``) and the read that
counts them with a narrow query or two (``count(actor=, organisation=) -> int``), as the
header counts on every page and must cost next to nothing. The home
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
    # As many as ``read`` lists, without building them; a kind whose read is a query or
    # two may leave it out, and is counted by reading it.
    count: Callable[..., int] | None = None

    def how_many(self, *, actor: Actor, organisation) -> int:
        if self.count is None:
            return len(self.read(actor=actor, organisation=organisation))
        return self.count(actor=actor, organisation=organisation)


@dataclass(frozen=True)
class ToDoSection:
    kind: ToDoKind
    items: list[ToDo]


KINDS: list[ToDoKind] = [
    ToDoKind(
        "objectives-to-agree",
        "Objectives to agree",
        direction_queries.objectives_to_agree,
        direction_queries.count_objectives_to_agree,
    ),
    ToDoKind(
        "check-ins-due",
        "Check-ins due",
        direction_queries.check_ins_due,
        direction_queries.count_check_ins_due,
    ),
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


def count_for_request(request) -> int:
    """The header's count: from the list when this request has read it (the home and to-do
    pages), else from each kind's count, which never builds the list."""
    sections = getattr(request, "_colead_to_do", None)
    if sections is not None:
        return count(sections)
    actor = Actor.from_request(request)
    return sum(kind.how_many(actor=actor, organisation=request.organisation) for kind in KINDS)


def for_request(request) -> list[ToDoSection]:
    """The signed-in person's to-do list in the request's organisation, read once a
    request (the header's count and the page share it)."""
    cached = getattr(request, "_colead_to_do", None)
    if cached is None:
        cached = to_do(Actor.from_request(request), request.organisation)
        request._colead_to_do = cached
    return cached
