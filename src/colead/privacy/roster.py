"""Generalising stored responses against the invited roster, so that no stored response can
be joined to fewer than k named people (docs/privacy.md, "What a database holder can learn").

A stored response keeps its reporting unit and the respondent's "About you" answers. The
workforce records hold the same facts about everyone invited, so whoever holds the database
can list, for each response, the invited people it could have come from: its *candidates*,
the people of its reporting unit whose recorded facts agree with every answer it gives (an
answer not given, or "prefer not to say", agrees with anyone; so does a fact not recorded).
``generalise`` changes the responses, never the roster, until every response has at least
``k`` candidates:

1. **Small units fold into their parent.** Working up from the leaves, a unit whose group
   (its own invited people plus those of the units folded into it) has fewer than ``k``
   people folds into its parent, and its responses are reported there. A top unit still
   short of ``k`` takes in its smallest child group. The rule depends on the roster alone,
   so knowing it tells an attacker nothing about who answered.
2. **The rarest answers are dropped.** While a response has fewer than ``k`` candidates, the
   demographic answer whose removal adds the most candidates is stored as not given.

Moving a response from a unit to its parent changes no published figure of any unit with
``k`` or more responses except breakdowns: every unit's totals are sums over its subtree.

Plain Python, no Django: the caller reads the roster and the responses and writes back the
result.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from colead.lib.errors import ColeadError

NOT_GIVEN = frozenset({"", "prefer_not"})


class RosterError(ColeadError):
    """A roster that cannot protect its responses (fewer than k people in all)."""


@dataclass(frozen=True)
class RosterPerson:
    """An invited person as the database shows them: the reporting unit frozen on their
    invitation and their workforce facts in the survey's codes ({field: code}); a field
    missing or None is not recorded, and agrees with any answer."""

    unit: Hashable
    facts: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredResponse:
    unit: Hashable
    demographics: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Generalised:
    """A response as it may be stored: its reporting unit (possibly an ancestor of the one
    it was given) and its demographics with ``dropped`` fields removed."""

    unit: Hashable
    demographics: dict
    dropped: tuple[str, ...] = ()


def given_answers(demographics: Mapping[str, str], fields: Sequence[str]) -> dict[str, str]:
    """The demographic answers that narrow the candidates (not blank, not "prefer not")."""
    return {
        name: demographics[name]
        for name in fields
        if demographics.get(name) is not None and demographics[name] not in NOT_GIVEN
    }


def fold_units(
    parents: Mapping[Hashable, Hashable | None],
    roster_sizes: Mapping[Hashable, int],
    k: int,
) -> dict[Hashable, Hashable]:
    """For each unit of the tree (``parents``: unit -> parent, None at the top), the unit
    its responses are reported in: itself, or the ancestor it folds into. Units not in the
    tree report as themselves. A top group with nobody in it stays as it is (``generalise``
    matches its responses against everyone). Raises RosterError when a whole tree has fewer than ``k``
    people but more than none."""
    children: dict[Hashable, list] = {unit: [] for unit in parents}
    roots = []
    for unit, parent in parents.items():
        if parent is None or parent not in parents:
            roots.append(unit)
        else:
            children[parent].append(unit)
    folds_into: dict[Hashable, Hashable] = {}
    group_size: dict[Hashable, int] = {}
    for root in sorted(roots, key=repr):
        # Post-order without recursion: trees can be deep.
        order, stack = [], [root]
        while stack:
            unit = stack.pop()
            order.append(unit)
            stack.extend(children[unit])
        for unit in reversed(order):
            size = roster_sizes.get(unit, 0)
            for child in children[unit]:
                if child in folds_into:
                    size += group_size[child]
            group_size[unit] = size
            if unit != root and size < k:
                folds_into[unit] = parents[unit]
        if 0 < group_size[root] < k:
            # The top group is short: it takes in the smallest group standing alone just
            # below it (a child of any unit already folded into it).
            standing = [
                child
                for unit in order
                if _top_of(unit, folds_into) == root
                for child in children[unit]
                if child not in folds_into
            ]
            if not standing:
                raise RosterError(
                    f"Only {group_size[root]} people were invited in all, fewer than {k}: "
                    "no response could be protected."
                )
            smallest = min(standing, key=lambda unit: (group_size[unit], repr(unit)))
            folds_into[smallest] = parents[smallest]
            group_size[root] += group_size[smallest]
    return {unit: _top_of(unit, folds_into) for unit in parents}


def _top_of(unit, folds_into):
    while unit in folds_into:
        unit = folds_into[unit]
    return unit


def generalise(
    *,
    parents: Mapping[Hashable, Hashable | None],
    roster: Iterable[RosterPerson],
    responses: Sequence[StoredResponse],
    fields: Sequence[str],
    k: int = 5,
) -> list[Generalised]:
    """Each response as it may be stored, in the order given, so that it has at least ``k``
    candidates in the roster. ``fields`` are the demographic fields the workforce can hold,
    in the order in which they are kept when two answers are equally rare (later ones are
    dropped first). Responses with ``k`` or more candidates already are left as they are."""
    roster = list(roster)
    sizes = Counter(person.unit for person in roster)
    placed = fold_units(parents, sizes, k)
    # The people of each reporting group, as counts of their distinct fact tuples.
    groups: dict[Hashable, Counter] = {}
    for person in roster:
        facts = tuple(_fact(person.facts.get(name)) for name in fields)
        groups.setdefault(placed.get(person.unit, person.unit), Counter())[facts] += 1
    everyone = sum(groups.values(), Counter())
    found: dict[tuple, tuple[str, ...]] = {}
    out = []
    for response in responses:
        unit = placed.get(response.unit, response.unit)
        given = given_answers(response.demographics, fields)
        key = (unit, tuple(sorted(given.items())))
        if key not in found:
            # Where nobody was invited (a shared device or a chosen unit above everyone),
            # the response could be anyone's: it is matched against the whole roster.
            found[key] = _generalise_one(groups.get(unit) or everyone, given, fields, k)
        dropped = found[key]
        demographics = {
            name: value for name, value in response.demographics.items() if name not in dropped
        }
        out.append(Generalised(unit, demographics, dropped))
    return out


def _fact(value):
    return None if value is None or value in NOT_GIVEN else value


def candidates(group: Counter, given: Mapping[str, str], fields: Sequence[str]) -> int:
    """People of a group (fact tuples with counts) whose facts agree with every answer."""
    positions = [(fields.index(name), value) for name, value in given.items()]
    return sum(
        n
        for facts, n in group.items()
        if all(facts[i] is None or facts[i] == value for i, value in positions)
    )


def _generalise_one(group: Counter, given: dict, fields: Sequence[str], k: int):
    given = dict(given)
    dropped: list[str] = []
    while candidates(group, given, fields) < k and given:
        # Drop the answer whose removal adds the most candidates; of equals, the one listed
        # last in ``fields``.
        best = max(
            given,
            key=lambda name: (
                candidates(group, {n: v for n, v in given.items() if n != name}, fields),
                fields.index(name),
            ),
        )
        del given[best]
        dropped.append(best)
    return tuple(dropped)


# -- response counts kept after close ----------------------------------------------------------


def pool_small_cells(
    cells: Mapping[str, tuple[int, int]], *, k: int, pooled: str
) -> dict[str, tuple[int, int]]:
    """One unit's (invited, responded) counts by staff group, as they may be kept once the
    wave has closed: a staff group keeps a cell of its own only with at least ``k`` invited,
    and the groups pooled under ``pooled`` also add up to ``k`` or more invited (taking in
    the smallest kept groups until they do). Otherwise a cell of one medic with "1 invited,
    1 responded" would say who took part, and so would the unit's total minus its other
    cells. The unit's total is unchanged; a unit of fewer than ``k`` people is one cell."""
    if pooled in cells:
        raise RosterError(f"{pooled!r} is a staff group of this unit; choose another name")
    kept = {group: cell for group, cell in cells.items() if cell[0] >= k}
    pool = [group for group in cells if group not in kept]
    while pool and sum(cells[g][0] for g in pool) < k and kept:
        smallest = min(kept, key=lambda group: (kept[group][0], group))
        pool.append(smallest)
        del kept[smallest]
    if len(pool) == 1 and not kept:
        return dict(cells)  # the whole unit is one group: its total is its only cell
    if pool:
        kept[pooled] = (sum(cells[g][0] for g in pool), sum(cells[g][1] for g in pool))
    return kept


# -- workforce facts in the survey's codes ---------------------------------------------------
# The "About you" instrument (surveys/instruments/demographics.yaml) asks in bands; the
# workforce records hold dates and ESR-style text. These give the code a person's record
# implies, or None where it implies none.

SERVICE_BANDS = ((1, "under_1_year"), (6, "years_1_5"), (11, "years_6_10"))


def length_of_service_code(start_date: date | None, on: date) -> str | None:
    """The length-of-service answer a person who started on ``start_date`` would give on
    ``on``, counting completed years ("1 to 5 years" is one to five completed years). A start
    after ``on`` counts as less than a year: an attacker would read it so."""
    if start_date is None:
        return None
    years = (on - start_date).days / 365.25
    for limit, code in SERVICE_BANDS:
        if years < limit:
            return code
    return "over_10_years"


AGE_CODES = ((16, 30, "age_16_30"), (31, 50, "age_31_50"), (51, 65, "age_51_65"))


def age_band_code(text: str) -> str | None:
    """ "21-25" -> age_16_30; "66 and over" or "66+" -> age_66_plus; a recorded band that
    straddles two of the survey's bands, or text that is not a band, -> None."""
    text = (text or "").strip().lower()
    digits = [int(part) for part in _numbers(text)]
    if not digits:
        return None
    low = digits[0]
    high = digits[1] if len(digits) > 1 else None
    if high is None:
        return "age_66_plus" if low >= 66 and ("+" in text or "over" in text) else None
    if low >= 66:
        return "age_66_plus"
    for first, last, code in AGE_CODES:
        if first <= low and high <= last:
            return code
    return None


def _numbers(text: str) -> list[str]:
    out, current = [], ""
    for char in text:
        if char.isdecimal():
            current += char
        elif current:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


ETHNICITY_CODES = (
    ("white", "white"),
    ("mixed", "mixed"),
    ("asian", "asian"),
    ("black", "black"),
    ("chinese", "other"),
    ("other", "other"),
)


def ethnicity_code(text: str) -> str | None:
    """ESR's "White - British", "Asian or Asian British - Indian", "Other Ethnic Groups -
    Chinese"... -> the survey's broad group; "Not stated" or blank -> None."""
    head = (text or "").strip().lower()
    for prefix, code in ETHNICITY_CODES:
        if head.startswith(prefix):
            return code
    return None


def sex_code(text: str) -> str | None:
    return {"female": "female", "f": "female", "male": "male", "m": "male"}.get(
        (text or "").strip().lower()
    )


def disability_code(text: str) -> str | None:
    return {"yes": "yes", "y": "yes", "no": "no", "n": "no"}.get((text or "").strip().lower())
