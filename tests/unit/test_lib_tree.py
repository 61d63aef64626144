"""colead.lib.tree against brute force over the units of small random trees."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from colead.lib import tree


def _path(ids) -> str:
    return "/" + "".join(f"{pk:08d}/" for pk in ids)


@st.composite
def forests(draw):
    """A few units (ids 1..n) under random parents, as {id: path}, like org.models.Unit."""
    count = draw(st.integers(min_value=1, max_value=12))
    parents = [None] + [
        draw(st.one_of(st.none(), st.integers(min_value=1, max_value=pk - 1)))
        for pk in range(2, count + 1)
    ]
    # Ids drawn so that one is sometimes a textual prefix of another (1 and 10, 12...).
    ids = draw(st.lists(st.integers(1, 120), min_size=count, max_size=count, unique=True))
    paths: dict[int, str] = {}
    for index, parent in enumerate(parents, start=1):
        chain = [ids[index - 1]]
        while parent is not None:
            chain.insert(0, ids[parent - 1])
            parent = parents[parent - 1]
        paths[index] = _path(chain)
    return paths


def _ancestors(paths: dict[int, str], unit: int) -> set[str]:
    """Brute force from the ids: the unit's own path and each shorter chain of ids."""
    ids = paths[unit].strip("/").split("/")
    return {_path(int(part) for part in ids[:length]) for length in range(1, len(ids) + 1)}


def _brute_within(paths, unit, ancestor) -> bool:
    return paths[ancestor] in _ancestors(paths, unit)


@given(forests(), st.data())
def test_is_within_is_being_the_unit_or_below_it(paths, data):
    unit = data.draw(st.sampled_from(sorted(paths)))
    other = data.draw(st.sampled_from(sorted(paths)))
    assert tree.is_within(paths[unit], paths[other]) == _brute_within(paths, unit, other)
    assert tree.within_any(paths[unit], [paths[other]]) == _brute_within(paths, unit, other)


@given(forests(), st.data())
def test_two_trees_overlap_when_a_unit_of_one_is_within_a_unit_of_the_other(paths, data):
    units = sorted(paths)
    side_a = data.draw(st.lists(st.sampled_from(units), max_size=4))
    side_b = data.draw(st.lists(st.sampled_from(units), max_size=4))
    expected = any(
        _brute_within(paths, a, b) or _brute_within(paths, b, a) for a in side_a for b in side_b
    )
    assert tree.overlap([paths[a] for a in side_a], (paths[b] for b in side_b)) == expected


@given(forests(), st.data())
def test_outermost_keeps_the_units_inside_no_other(paths, data):
    chosen = data.draw(st.lists(st.sampled_from(sorted(paths)), max_size=8))
    expected = sorted(
        {
            paths[unit]
            for unit in chosen
            if not any(other != unit and _brute_within(paths, unit, other) for other in chosen)
        }
    )
    assert tree.outermost([paths[unit] for unit in chosen]) == expected
    units = [SimpleNamespace(pk=unit, path=paths[unit]) for unit in chosen]
    kept = tree.outermost(units, path=lambda unit: unit.path)
    assert [unit.path for unit in kept] == expected


def test_an_id_that_starts_like_another_is_not_inside_it():
    assert not tree.is_within(_path([10]), _path([1]))
    assert tree.is_within(_path([1, 10]), _path([1]))
    assert tree.outermost([_path([12]), _path([1, 5]), _path([1])]) == [
        _path([1]),
        _path([12]),
    ]
