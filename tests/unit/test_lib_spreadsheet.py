from hypothesis import given
from hypothesis import strategies as st

from colead.lib.spreadsheet import csv_safe, unguard


def test_formula_cells_are_guarded_and_others_left_alone():
    for dangerous in ("=1+1", "+44 7700", "-5", "@SUM(A1)", "\tx", "\rx", "'=x", "''-x"):
        assert csv_safe(dangerous) == "'" + dangerous
    for plain in ("Ward 1", "'t Hooft", "'0123", "", "'"):
        assert csv_safe(plain) == plain
    assert csv_safe(None) == ""
    assert csv_safe(-5) == "'-5"


def test_the_import_takes_off_only_the_guard():
    assert unguard("'=1+1") == "=1+1"
    assert unguard("''=x") == "'=x"
    assert unguard("'t Hooft") == "'t Hooft"  # not a guard: kept
    assert unguard("'0123") == "'0123"
    assert unguard("=1+1") == "=1+1"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab 0"), max_size=8) | st.text(max_size=20))
def test_unguard_undoes_csv_safe_for_any_text(text):
    assert unguard(csv_safe(text)) == text
