"""The respondent's pages (/take/...) through the Django test client: personal links, the
form, check your answers, submitting, and the anonymity rules around them."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from colead.core.actor import Actor
from colead.surveys import definitions, services, tokens
from colead.surveys.models import Ballot, Draft, Invitation, Wave
from colead.surveys.services import WaveSettings
from colead.surveys.take_pages import Form
from colead.surveys.views.take import SENT_COOKIE, TOKEN_COOKIE

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db

INSTRUMENTS = ["culture-pulse", "team-working", "demographics"]


def make_wave(trust, *, instruments=INSTRUMENTS, launch=True, **settings) -> Wave:
    services.ensure_builtin_instruments(organisation=trust["org"], actor=SYSTEM)
    wave = services.create_wave(
        organisation=trust["org"],
        settings=WaveSettings(
            title="Spring pulse", instruments=instruments, unit_codes=["MED"], **settings
        ),
        actor=SYSTEM,
    )
    if launch:
        services.launch_wave(wave=wave, actor=SYSTEM)
        wave.refresh_from_db()
    return wave


def token_for(invitation: Invitation) -> str:
    return tokens.invitation_token(invitation.pk, invitation.nonce)


def invitation_of(wave, person) -> Invitation:
    return Invitation.objects.get(wave=wave, person=person)


def section_url(number: int) -> str:
    return reverse("take:section", args=[number])


def open_link(client, token):
    """Open a personal link; returns the redirect response."""
    response = client.get(reverse("take:start", args=[token]))
    assert response.status_code == 302, response.content
    return response


def page_numbers(wave):
    """{section code: page number} of the wave's form; a section's continuation page is
    under its code with a "+"."""
    form = Form(services.wave_instruments(wave))
    return {page.section.code + ("+" if page.continued else ""): page.number for page in form.pages}


@pytest.fixture
def wave(trust):
    return make_wave(trust)


@pytest.fixture
def token(wave, trust):
    return token_for(invitation_of(wave, trust["nurse_person"]))


@pytest.fixture
def respondent(client, token):
    """A client that has opened its personal link."""
    open_link(client, token)
    return client


def draft_for(token) -> Draft:
    return Draft.objects.get(key_digest=tokens.draft_digest(token))


# -- opening a link ---------------------------------------------------------------------


class TestOpeningALink:
    def test_the_token_moves_into_a_signed_http_only_cookie_and_leaves_the_url(self, client, token):
        response = open_link(client, token)
        assert response["Location"] == "/take/"
        cookie = response.cookies[TOKEN_COOKIE]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/take/"
        assert cookie.value != token and cookie.value.startswith(token + ":")  # signed
        assert "no-store" in response["Cache-Control"]

    def test_a_tampered_cookie_is_ignored(self, client, token):
        open_link(client, token)
        good = client.cookies[TOKEN_COOKIE].value
        client.cookies[TOKEN_COOKIE] = good[:-3] + "abc"
        response = client.get(reverse("take:form"))
        assert response.status_code == 403
        assert "Open the survey from your link" in response.text

    def test_a_signed_in_members_session_never_holds_the_token(self, client_for, token, wave):
        staff = client_for("staff")
        session_before = dict(staff.session.items())
        open_link(staff, token)
        staff.get(reverse("take:form"))
        staff.post(reverse("take:form"))
        staff.post(section_url(1), {"vv1": "4"})
        assert dict(staff.session.items()) == session_before
        for session in Session.objects.all():
            decoded = repr(session.get_decoded())
            assert token not in decoded
            assert tokens.draft_digest(token) not in decoded

    @pytest.mark.parametrize(
        "forged",
        [
            "i" + "A" * 32,
            "d" + "b" * 32,
            "x" * 30,
            "short",
            "i" + "A" * 200,
            "i%3Cscript%3Ealert(1)%3C-script%3E-aaaaaaaaaa",
            "i-" + "é" * 30,
        ],
    )
    def test_forged_and_garbled_tokens_get_a_friendly_not_found_page(self, client, wave, forged):
        response = client.get(f"/take/{forged}/")
        assert response.status_code == 404
        assert "This link is not valid" in response.text
        assert TOKEN_COOKIE not in response.cookies
        assert not Draft.objects.exists()

    def test_a_device_token_cannot_be_used_as_a_personal_link(self, client, wave, trust):
        link = services.device_link_for(wave=wave, unit=trust["units"]["W1"], actor=SYSTEM)
        device_token, _draft = services.start_on_device(link=link)
        response = client.get(reverse("take:start", args=[device_token]))
        assert response.status_code == 404

    def test_a_used_link_says_so_and_nothing_more(self, client, token):
        open_link(client, token)
        client.post(reverse("take:check"))
        response = Client().get(reverse("take:start", args=[token]))
        assert response.status_code == 410
        assert "This link has already been used" in response.text
        assert Ballot.objects.count() == 1

    def test_a_closed_wave_refuses_the_link(self, client, wave, token):
        services.close_wave(wave=wave, actor=SYSTEM)
        response = client.get(reverse("take:start", args=[token]))
        assert response.status_code == 410
        assert "This survey has closed" in response.text

    def test_a_wave_past_its_closing_date_refuses_the_link(self, client, wave, token):
        Wave.objects.filter(pk=wave.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
        response = client.get(reverse("take:start", args=[token]))
        assert response.status_code == 410
        assert "This survey has closed" in response.text

    def test_a_form_open_when_the_wave_closes_is_refused_and_forgotten(self, respondent, wave):
        services.close_wave(wave=wave, actor=SYSTEM)
        response = respondent.get(section_url(1))
        assert response.status_code == 410
        assert "This survey has closed" in response.text
        assert response.cookies[TOKEN_COOKIE].value == ""  # deleted

    def test_without_the_cookie_the_form_explains_how_to_open_it(self, client, wave):
        for url in [reverse("take:form"), section_url(1), reverse("take:check")]:
            response = client.get(url)
            assert response.status_code == 403
            assert "use the link in your survey email" in response.text


# -- the start page ---------------------------------------------------------------------


class TestStartPage:
    def test_shows_the_wave_the_time_it_takes_and_the_anonymity_promise(self, respondent):
        response = respondent.get(reverse("take:form"))
        assert response.status_code == 200
        text = response.text
        assert "Spring pulse" in text
        assert re.search(r"It takes about \d+ minutes", text)
        assert "results are shown only for groups of 11 or more people" in text
        assert "Ward 1" in text  # the team the answers count towards
        assert 'name="unit"' not in text  # this wave does not let people choose

    def test_start_goes_to_the_first_section(self, respondent):
        response = respondent.post(reverse("take:form"))
        assert response["Location"] == section_url(1)

    def test_a_saved_form_resumes_at_the_section_left_unfinished(self, respondent, token):
        respondent.post(section_url(1), {"vv1": "4"})  # a question skipped on page 1
        respondent.post(section_url(2), {"sc1": "5", "_action": "save"})
        open_link(respondent, token)
        response = respondent.post(reverse("take:form"))
        assert response["Location"] == section_url(2)

    def test_a_finished_section_resumes_at_the_next_one(self, respondent, token, wave):
        second = Form(services.wave_instruments(wave)).page(2)
        respondent.post(section_url(1), {"vv1": "4"})
        respondent.post(section_url(2), {item.code: "4" for item in second.items})
        open_link(respondent, token)
        response = respondent.post(reverse("take:form"))
        assert response["Location"] == section_url(3)


# -- sections ---------------------------------------------------------------------------


class TestSections:
    def test_a_section_shows_progress_back_link_and_the_scale_with_dont_know(self, respondent):
        response = respondent.get(section_url(1))
        assert response.status_code == 200
        text = response.text
        assert "Section 1 of 7" in text  # the team climate section waits for "in a team?"
        assert "Where we are going" in text
        assert 'class="nhsuk-back-link" href="/take/"' in text
        assert "I know what this organisation is trying to achieve for patients." in text
        assert text.count('type="radio"') == 8 * 6  # five points and "Don't know"
        assert "nhsuk-radios__divider" in text
        assert "Strongly agree" in text
        assert "Save and come back later" in text
        assert 'id="q-vv1"' in text  # the first radio carries the id errors link to

    def test_valid_answers_are_saved_and_the_next_section_follows(self, respondent, token):
        response = respondent.post(section_url(1), {"vv1": "5", "vv2": "dk", "gp4": "1"})
        assert response["Location"] == section_url(2)
        assert draft_for(token).answers == {"vv1": "5", "vv2": "dk", "gp4": "1"}
        back = respondent.get(section_url(2)).text
        assert 'class="nhsuk-back-link" href="/take/section/1/"' in back

    def test_saved_answers_are_shown_when_coming_back(self, respondent):
        respondent.post(section_url(1), {"vv1": "5"})
        text = respondent.get(section_url(1)).text
        assert re.search(r'id="q-vv1-5" name="vv1" type="radio" value="5" checked', text)

    def test_a_bad_option_gets_an_error_summary_and_the_other_answers_are_kept(
        self, respondent, token
    ):
        response = respondent.post(section_url(1), {"vv1": "9", "vv2": "4"})
        assert response.status_code == 200
        text = response.text
        assert "<title>Error: " in text
        assert "There is a problem" in text
        assert '<a href="#q-vv1">' in text
        assert "Select one of the options" in text
        assert draft_for(token).answers == {"vv2": "4"}

    def test_an_over_long_comment_is_refused_with_the_limit_and_nothing_is_lost(
        self, respondent, token, wave
    ):
        fairness = page_numbers(wave)["fairness"]
        long_text = "Long words " * 300  # 3,300 characters
        response = respondent.post(
            section_url(fairness), {"ei1": "4", "ei2": "2", "comment": long_text}
        )
        assert response.status_code == 200
        assert "must be 2,000 characters or fewer (it has 3,299)" in response.text
        assert '<a href="#q-comment">' in response.text
        assert "Long words Long words" in response.text  # shown again, to be shortened
        assert 'data-maxlength="2000"' in response.text
        answers = draft_for(token).answers
        assert answers == {"ei1": "4", "ei2": "2"}

    def test_follow_up_questions_go_on_the_next_page(self, respondent, wave):
        numbers = page_numbers(wave)
        text = respondent.get(section_url(numbers["your_team"])).text
        assert 'name="in_team"' in text
        assert 'name="rt_objectives"' not in text
        assert "nhsuk-radios__conditional" not in text
        # Until "Do you work in a team?" is answered yes, the follow-ups are skipped.
        follow_up = respondent.get(section_url(numbers["your_team+"]))
        assert follow_up["Location"] == section_url(numbers["work"])

    def test_hidden_questions_are_dropped_and_their_page_skipped(self, respondent, wave, token):
        numbers = page_numbers(wave)
        response = respondent.post(
            section_url(numbers["your_team"]), {"in_team": "no", "rt_objectives": "yes"}
        )
        # The follow-ups and the climate section ask only about the team: skipped.
        assert response["Location"] == section_url(numbers["work"])
        assert draft_for(token).answers == {"in_team": "no"}
        assert respondent.get(section_url(numbers["climate"]))["Location"] == section_url(
            numbers["work"]
        )
        assert "Section 6 of 7" in respondent.get(section_url(numbers["work"])).text

    def test_a_yes_brings_in_the_follow_ups_and_a_change_of_mind_drops_them(
        self, respondent, wave, token
    ):
        numbers = page_numbers(wave)
        response = respondent.post(section_url(numbers["your_team"]), {"in_team": "yes"})
        assert response["Location"] == section_url(numbers["your_team+"])
        follow_up = respondent.get(section_url(numbers["your_team+"])).text
        assert "Your team (continued)" in follow_up
        assert "Section 6 of 9" in follow_up
        response = respondent.post(
            section_url(numbers["your_team+"]), {"rt_objectives": "yes", "rt_reviews": "no"}
        )
        assert response["Location"] == section_url(numbers["climate"])
        assert draft_for(token).answers == {
            "in_team": "yes",
            "rt_objectives": "yes",
            "rt_reviews": "no",
        }
        respondent.post(section_url(numbers["your_team"]), {"in_team": "no"})
        check = respondent.get(reverse("take:check")).text
        assert "Does your team have clear objectives" not in check
        respondent.post(reverse("take:check"))
        assert Ballot.objects.get().answers == {"in_team": "no"}

    def test_an_unknown_section_is_not_found(self, respondent):
        assert respondent.get(section_url(99)).status_code == 404

    def test_save_and_come_back_later_keeps_answers_and_drops_the_cookie(self, respondent, token):
        response = respondent.post(section_url(1), {"vv1": "3", "_action": "save"})
        assert response["Location"] == reverse("take:saved")
        assert response.cookies[TOKEN_COOKIE].value == ""
        saved = respondent.get(reverse("take:saved"))
        assert "open the same link from your survey email" in saved.text
        assert respondent.get(section_url(1)).status_code == 403  # nobody else carries on
        open_link(respondent, token)
        text = respondent.get(section_url(1)).text
        assert re.search(r'name="vv1" type="radio" value="3" checked', text)

    def test_the_back_link_is_in_a_landmark_and_the_footer_has_no_api_link(self, respondent):
        for url in [section_url(2), reverse("take:check")]:
            text = respondent.get(url).text
            assert re.search(r'<nav aria-label="[^"]+">\s*<a class="nhsuk-back-link"', text)
            footer = text[text.index("<footer") :]
            assert "/api/" not in footer and ">API<" not in footer
            assert "Accessibility statement" in footer and "Privacy" in footer

    def test_the_waves_instrument_order_decides_where_about_you_comes(self, trust):
        last = Form(services.wave_instruments(make_wave(trust, launch=False)))
        assert [page.section.title for page in last.pages][-2:] == ["Your work", "About you"]
        first = make_wave(trust, instruments=["demographics", "culture-pulse"], launch=False)
        pages = Form(services.wave_instruments(first)).pages
        assert [page.section.title for page in pages][:2] == ["Your work", "About you"]

    def test_pages_are_never_cached(self, respondent):
        for url in [reverse("take:form"), section_url(1), reverse("take:check")]:
            assert "no-store" in respondent.get(url)["Cache-Control"]


# -- check your answers and submitting ----------------------------------------------------


def answer_some(client, wave):
    numbers = page_numbers(wave)
    client.post(section_url(1), {"vv1": "4", "vv2": "dk"})
    client.post(section_url(numbers["your_team"]), {"in_team": "yes"})
    client.post(section_url(numbers["your_team+"]), {"rt_objectives": "no"})
    client.post(
        section_url(numbers["fairness"]),
        {"ei1": "5", "comment": "<script>alert(1)</script> Sam Nurse is brilliant"},
    )
    client.post(section_url(numbers["work"]), {"staff_group": "nursing_midwifery_registered"})


class TestCheckAndSubmit:
    def test_check_answers_lists_each_section_with_change_links(self, respondent, wave):
        answer_some(respondent, wave)
        response = respondent.get(reverse("take:check"))
        text = response.text
        assert response.status_code == 200
        assert "Check your answers before sending them" in text
        assert "Where we are going" in text and "About you" in text
        assert "Don&#39;t know" in text
        assert "Registered nursing and midwifery" in text  # the display name, as in results
        assert "Not answered" in text
        assert 'href="/take/section/1/?change=1#q-vv1"' in text
        assert "nhsuk-summary-list" in text

    def test_hostile_text_renders_inert_and_is_stored_masked(self, respondent, wave):
        answer_some(respondent, wave)
        text = respondent.get(reverse("take:check")).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        respondent.post(reverse("take:check"))
        ballot = Ballot.objects.get()
        assert ballot.comments == {
            "comment": "<script>alert(1)</script> [name removed] is brilliant"
        }

    def test_a_change_link_returns_to_check_answers(self, respondent, wave, token):
        answer_some(respondent, wave)
        page = respondent.get(section_url(1) + "?change=1")
        assert 'class="nhsuk-back-link" href="/take/check/"' in page.text
        response = respondent.post(section_url(1) + "?change=1", {"vv1": "2"})
        assert response["Location"] == reverse("take:check")
        assert draft_for(token).answers["vv1"] == "2"

    def test_a_change_that_brings_in_new_questions_asks_them_first(self, respondent, wave, token):
        numbers = page_numbers(wave)
        respondent.post(section_url(numbers["your_team"]), {"in_team": "no"})
        respondent.post(
            section_url(numbers["work"]), {"staff_group": "nursing_midwifery_registered"}
        )
        change = section_url(numbers["your_team"]) + "?change=1"
        response = respondent.post(change, {"in_team": "yes"})
        assert response["Location"] == section_url(numbers["your_team+"]) + "?change=new"
        response = respondent.post(response["Location"], {"rt_objectives": "yes"})
        assert response["Location"] == section_url(numbers["climate"]) + "?change=new"
        response = respondent.post(response["Location"], {"tc1": "4"})
        assert response["Location"] == reverse("take:check")  # "About you" was answered
        assert draft_for(token).answers == {
            "in_team": "yes",
            "rt_objectives": "yes",
            "tc1": "4",
            "staff_group": "nursing_midwifery_registered",
        }

    def test_submitting_stores_one_ballot_and_confirms_after_commit(
        self, respondent, wave, token, trust
    ):
        answer_some(respondent, wave)
        response = respondent.post(reverse("take:check"))
        assert response.status_code == 302
        assert response["Location"] == reverse("take:done")
        assert response.cookies[TOKEN_COOKIE].value == ""  # the token cookie is deleted
        assert response.cookies[SENT_COOKIE]["httponly"] is True
        ballot = Ballot.objects.get()
        assert ballot.reporting_unit == trust["units"]["W1"]
        assert ballot.answers["vv1"] == "4" and ballot.answers["vv2"] == "dk"
        assert ballot.demographics == {"staff_group": "nursing_midwifery_registered"}
        assert ballot.source == "online"
        assert ballot.submitted_on == timezone.localdate()
        assert invitation_of(wave, trust["nurse_person"]).responded
        assert not Draft.objects.filter(key_digest=tokens.draft_digest(token)).exists()
        done = respondent.get(reverse("take:done"))
        assert "Your answers have been sent" in done.text
        assert "nhsuk-panel" in done.text

    def test_sending_again_stores_nothing_and_says_why(self, respondent, wave, token):
        answer_some(respondent, wave)
        old_cookie = respondent.cookies[TOKEN_COOKIE].value
        respondent.post(reverse("take:check"))
        # The back button and "Send" again: the cookie is gone.
        again = respondent.post(reverse("take:check"))
        assert again.status_code == 410
        assert "This link has already been used" in again.text
        # A second tab that still holds the old cookie.
        other_tab = Client()
        other_tab.cookies[TOKEN_COOKIE] = old_cookie
        other_tab.cookies[TOKEN_COOKIE]["path"] = "/take/"
        again = other_tab.post(reverse("take:check"))
        assert again.status_code == 410
        assert "This link has already been used" in again.text
        assert Ballot.objects.count() == 1

    def test_the_confirmation_page_needs_a_sent_response(self, client, wave):
        assert client.get(reverse("take:done"))["Location"] == reverse("take:form")

    def test_every_respondent_makes_exactly_one_ballot(self, wave):
        invitations = list(Invitation.objects.filter(wave=wave))
        for count, invitation in enumerate(invitations, start=1):
            client = Client()
            open_link(client, token_for(invitation))
            client.post(section_url(1), {"vv1": "3"})
            client.post(reverse("take:check"))
            client.post(reverse("take:check"))
            assert Ballot.objects.filter(wave=wave).count() == count
        assert Invitation.objects.filter(wave=wave, responded=False).count() == 0

    def test_the_token_never_appears_after_the_first_request(self, client, wave, token):
        seen = []

        def record(response):
            seen.append(response)
            return response

        record(open_link(client, token))
        record(client.get(reverse("take:form")))
        record(client.post(reverse("take:form")))
        numbers = page_numbers(wave)
        for number in sorted(numbers.values()):
            record(client.get(section_url(number)))
            record(client.post(section_url(number), {"vv1": "4", "in_team": "yes"}))
        record(client.get(reverse("take:check")))
        record(client.post(reverse("take:check")))
        record(client.get(reverse("take:done")))
        for response in seen:
            assert token not in response.get("Location", "")
            assert token not in response.content.decode()
        assert Ballot.objects.count() == 1

    def test_csrf_is_enforced_on_every_form(self, wave, token):
        client = Client(enforce_csrf_checks=True)
        open_link(client, token)
        for url in [reverse("take:form"), section_url(1), reverse("take:check")]:
            assert client.post(url, {"vv1": "4"}).status_code == 403
        assert not Ballot.objects.exists()
        page = client.get(section_url(1))
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post(section_url(1), {"vv1": "4", "csrfmiddlewaretoken": csrf})
        assert response.status_code == 302
        response = client.post(reverse("take:check"), {"csrfmiddlewaretoken": csrf})
        assert response["Location"] == reverse("take:done")
        assert Ballot.objects.count() == 1


# -- respondents who choose their team ---------------------------------------------------


class TestChosenUnit:
    @pytest.fixture
    def wave(self, trust):
        return make_wave(trust, respondent_chooses_unit=True)

    def test_the_start_page_asks_for_the_team(self, respondent):
        text = respondent.get(reverse("take:form")).text
        assert "Which team do you work in?" in text
        for name in ["Medicine", "Cardiology", "Ward 1", "Ward 2"]:
            assert name in text
        assert "Theatres" not in text  # not in the wave's units

    def test_no_team_chosen_is_an_error(self, respondent):
        response = respondent.post(reverse("take:form"), {"unit": ""})
        assert response.status_code == 200
        assert "<title>Error: " in response.text
        assert '<a href="#unit">' in response.text
        assert "Select your team from the list" in response.text

    def test_a_team_outside_the_wave_is_refused(self, respondent, token):
        response = respondent.post(reverse("take:form"), {"unit": "T1"})
        assert "Select your team from the list" in response.text
        assert draft_for(token).reporting_unit is None

    def test_the_chosen_team_is_where_the_answers_count(self, respondent, trust):
        response = respondent.post(reverse("take:form"), {"unit": "W2"})
        assert response["Location"] == section_url(1)
        respondent.post(section_url(1), {"vv1": "4"})
        check = respondent.get(reverse("take:check")).text
        assert "Ward 2" in check and 'href="/take/?change=1"' in check
        respondent.post(reverse("take:check"))
        assert Ballot.objects.get().reporting_unit == trust["units"]["W2"]

    def test_sending_without_a_team_asks_for_one(self, respondent):
        response = respondent.post(reverse("take:check"))
        assert response.status_code == 200
        assert "Select your team before sending your answers" in response.text
        assert not Ballot.objects.exists()

    def test_changing_the_team_returns_to_check_answers(self, respondent):
        respondent.post(reverse("take:form"), {"unit": "W2"})
        response = respondent.post(reverse("take:form") + "?change=1", {"unit": "W1"})
        assert response["Location"] == reverse("take:check")


# -- other question types and page splitting ----------------------------------------------

CUSTOM = """
code: custom-check
version: 1
title: Custom check
sections:
  - {code: one, title: Page one}
items:
  - {code: roles, section: one, type: multiple_choice, text: "Which roles have you held?",
     options: [{code: nurse, label: Nurse}, {code: doctor, label: Doctor}, {code: porter, label: Porter}]}
  - {code: years, section: one, type: number, min: 0, max: 60, text: "How many years?"}
  - {code: mood, section: one, type: single_choice, text: "How are you?",
     options: [{code: good, label: Good}, {code: ok, label: OK}, {code: bad, label: Bad}]}
  - {code: why, section: one, type: free_text, max_length: 50, show_if: {item: mood, in: [ok, bad]},
     text: "Why is that?"}
"""


class TestOtherQuestionTypes:
    @pytest.fixture
    def wave(self, trust):
        instrument = definitions.parse_instrument(CUSTOM)
        services.import_instrument(organisation=trust["org"], instrument=instrument, actor=SYSTEM)
        return make_wave(trust, instruments=["custom-check"])

    def test_checkboxes_and_a_numeric_input(self, respondent):
        text = respondent.get(section_url(1)).text
        assert text.count('type="checkbox"') == 3
        assert 'inputmode="numeric"' in text
        assert "Enter a number from 0 to 60" in text

    def test_a_condition_on_several_options_puts_the_question_on_its_own_page(
        self, respondent, token
    ):
        first = respondent.get(section_url(1)).text
        assert "Why is that?" not in first
        response = respondent.post(
            section_url(1), {"roles": ["nurse", "porter"], "years": "12", "mood": "bad"}
        )
        assert response["Location"] == section_url(2)
        assert draft_for(token).answers == {
            "roles": ["nurse", "porter"],
            "years": 12,
            "mood": "bad",
        }
        second = respondent.get(section_url(2)).text
        assert "Page one (continued)" in second and "Why is that?" in second
        assert "Section 2 of 2" in second
        check = respondent.get(reverse("take:check")).text
        assert "Nurse, Porter" in check and "12" in check

    def test_the_follow_up_page_is_skipped_when_not_needed(self, respondent):
        response = respondent.post(section_url(1), {"mood": "good"})
        assert response["Location"] == reverse("take:check")
        assert respondent.get(section_url(2))["Location"] == reverse("take:check")

    def test_a_number_out_of_range_is_an_error(self, respondent, token):
        response = respondent.post(section_url(1), {"years": "99", "mood": "ok"})
        assert "Enter a number of 60 or less" in response.text
        assert 'value="99"' in response.text
        assert draft_for(token).answers == {"mood": "ok"}
