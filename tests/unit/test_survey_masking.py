from hypothesis import given
from hypothesis import strategies as st

from colead.surveys.masking import build_masker

mask = build_masker(
    first_names=["Priya", "Sam", "Will", "Tom"],
    last_names=["Patel", "Nurse", "Okafor", "Smith"],
    employee_numbers=["E012345", "77"],
)


def masked(text):
    return mask(text)[0]


def test_emails_phones_and_employee_numbers_are_masked():
    assert masked("Email priya.patel@nhs.net now") == "Email [email removed] now"
    for phone in ["07700 900123", "+44 7700 900123", "0161 496 0000", "(020) 7946 0000"]:
        assert masked(f"Call {phone} today") == "Call [phone number removed] today", phone
    assert masked("My number is E012345.") == "My number is [number removed]."


def test_staff_names_are_masked_including_possessives_and_full_names():
    assert masked("Priya Patel was great") == "[name removed] was great"
    assert masked("Okafor's rota is unfair") == "[name removed] rota is unfair"
    assert masked("Ask Sam Nurse") == "Ask [name removed]"


def test_common_words_and_numbers_survive():
    assert masked("The nurse said we will need 12 more beds in 2024") == (
        "The nurse said we will need 12 more beds in 2024"
    )
    assert masked("Will it ever get better?") == "Will it ever get better?"
    assert mask("nothing personal here")[1] == 0


def test_short_employee_numbers_are_not_used_for_masking():
    assert masked("We had 77 patients") == "We had 77 patients"


def test_employee_numbers_with_other_characters_and_any_case_are_masked():
    mask = build_masker(
        first_names=[], last_names=[], employee_numbers=["ab-123", "X99/7", "E777", "E7"]
    )
    assert mask("ref AB-123, x99/7 and e777")[0] == (
        "ref [number removed], [number removed] and [number removed]"
    )
    # Only whole numbers: not inside a longer run of letters and digits.
    assert mask("E7770 and XE777 stay")[0] == "E7770 and XE777 stay"
    assert mask("E777 E777")[1] == 2


def _reference_number_mask(numbers, text):
    """The masker's first design, kept as an independent check: one case-insensitive
    alternation of every number, longest first, not touching a word character."""
    import re

    numbers = sorted({n for n in numbers if len(n) >= 3}, key=len, reverse=True)
    if not numbers:
        return text
    pattern = re.compile(
        r"(?<![\w])(" + "|".join(re.escape(n) for n in numbers) + r")(?![\w])", re.I
    )
    return pattern.sub("[number removed]", text)


_NUMBER_CHARS = "aE7-/ 0"


@given(
    numbers=st.lists(st.text(alphabet=_NUMBER_CHARS, min_size=3, max_size=6), max_size=6),
    text=st.text(alphabet=_NUMBER_CHARS + ".,", max_size=40),
)
def test_number_masking_agrees_with_one_big_alternation(numbers, text):
    numbers = [n for n in numbers if n == n.strip()]
    mask = build_masker(first_names=[], last_names=[], employee_numbers=numbers)
    assert mask(text)[0] == _reference_number_mask(numbers, text)
