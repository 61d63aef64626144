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
