"""Objectives for the TST1 trust (tests/conftest.py), made through the services.

ORG1   organisation objective (TST1-ROOT), active, agreed
  MED1   Medicine (MED), active, agreed
    CARD1  Cardiology (CARD), active, agreed
      W1-A   Ward 1 (W1), active, agreed
        S1-A   Sam Nurse's individual objective (W1), draft
      W2-A   Ward 2 (W2), agreed
  SURG1  Surgery (SURG), draft
T1-X   Theatres (T1), active but an orphan (no parents)
"""

from colead.core.actor import Actor
from colead.direction.models import Objective
from tests.factories import ObjectiveFactory


def make(trust, code, unit, *, parents=(), owner=None, status="draft", **fields):
    """An objective made by the system, taken to ``status`` through the acts."""
    return ObjectiveFactory(
        organisation=trust["org"],
        code=code,
        unit=trust["units"][unit],
        owner=owner,
        parents=[Objective.objects.get(organisation=trust["org"], code=p) for p in parents],
        status=status,
        **fields,
    )


def golden_thread(trust) -> dict[str, Objective]:
    made = {}
    for code, unit, parents, status, owner in [
        ("ORG1", "TST1-ROOT", (), "active", None),
        ("MED1", "MED", ("ORG1",), "active", None),
        ("CARD1", "CARD", ("MED1",), "active", None),
        ("W1-A", "W1", ("CARD1",), "active", None),
        ("S1-A", "W1", ("W1-A",), "draft", trust["nurse_person"]),
        ("W2-A", "W2", ("CARD1",), "agreed", None),
        ("SURG1", "SURG", ("ORG1",), "draft", None),
        ("T1-X", "T1", (), "active", None),
    ]:
        made[code] = make(trust, code, unit, parents=parents, owner=owner, status=status)
    return made


# Who the tests act as: the system for setting up, a user where who acts matters.
SYSTEM = Actor.system("tests")


def as_user(user) -> Actor:
    return Actor.of_user(user, source="web")
