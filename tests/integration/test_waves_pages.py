"""The wave pages: the list, creating a wave, its page, preview, launch, reminders, extend,
close and device links. A closed wave offers no action, and every action on it is refused."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.lib.errors import Conflict
from colead.surveys import services
from colead.surveys.models import (
    DeviceLink,
    InstrumentVersion,
    Invitation,
    Response,
    Wave,
    WaveStatus,
)
from tests.integration.waves_fixtures import device_responses, make_wave, respond, staff_surgery

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db


def main(response) -> str:
    """The page's main content as text, tags removed."""
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def new_wave_form(**overrides):
    data = {
        "title": "Autumn pulse",
        "instruments": ["culture-pulse@1", "team-working@1"],
        "units": ["MED"],
        "unit_codes": "T1",
        "staff_groups": [],
        "opens[day]": "1",
        "opens[month]": "10",
        "opens[year]": "2030",
        "closes[day]": "31",
        "closes[month]": "10",
        "closes[year]": "2030",
        "reporting_threshold": "11",
        "comment_threshold": "10",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# -- the list ----------------------------------------------------------------------------


def test_the_list_shows_waves_with_status_dates_and_counts_small_ones_hidden(client_for, trust):
    wave = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True, title="Big one")
    respond(wave, "W1", 5)
    small = make_wave(trust, threshold=11, launch=True, title="Small one")
    respond(small, "W1", 2)
    make_wave(trust, title="Still a draft")
    response = client_for("od").get(reverse("surveys:wave_list"))
    assert response.status_code == 200
    rows = {row["wave"].title: row for row in response.context_data["rows"]}
    assert (rows["Big one"]["invited"], rows["Big one"]["responded"]) == ("12", "5")
    assert (rows["Small one"]["invited"], rows["Small one"]["responded"]) == (
        "fewer than 11",
        "fewer than 11",
    )
    assert rows["Still a draft"]["invited"] == "Not launched"
    assert rows["Big one"]["status"]["text"] == "Open"
    assert rows["Big one"]["href"] == reverse("surveys:wave", args=[wave.pk])
    text = main(response)
    assert "Create a wave" in text and "fewer than 11" in text


def test_the_list_for_the_board_has_no_create_button_and_no_drafts(client_for, trust):
    make_wave(trust, title="Still a draft")
    opened = make_wave(trust, title="Running", launch=True)
    response = client_for("board").get(reverse("surveys:wave_list"))
    assert [row["wave"].title for row in response.context_data["rows"]] == ["Running"]
    assert response.context_data["rows"][0]["href"] == reverse("surveys:rates", args=[opened.pk])
    assert "Create a wave" not in main(response)


def test_a_managers_list_counts_only_their_subtree_and_only_waves_reaching_it(client_for, trust):
    whole = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True, title="Whole trust")
    respond(whole, "W1", 5)
    respond(whole, "T1", 4)
    staff_surgery(trust)
    make_wave(trust, units=["SURG"], threshold=5, launch=True, title="Surgery only")
    response = client_for("manager").get(reverse("surveys:wave_list"))
    rows = response.context_data["rows"]
    assert [row["wave"].title for row in rows] == ["Whole trust"]
    # W1 alone: 5 invited, 5 responded (the trust has 12 invited, 9 responded).
    assert (rows[0]["invited"], rows[0]["responded"]) == ("5", "5")
    assert "Ward 1" in main(response)


# -- creating a wave ---------------------------------------------------------------------


def test_the_form_offers_the_built_in_instruments_and_the_upper_units(client_for, trust):
    response = client_for("od").get(reverse("surveys:wave_new"))
    assert response.status_code == 200
    form = response.context_data["form"]
    assert [code for code, _ in form.fields["instruments"].choices] == [
        "compassionate-leadership@1",
        "culture-pulse@1",
        "psychological-safety@1",
        "staff-engagement@1",
        "team-working@1",
        "demographics@3",  # About you, last: respondents answer in this order
    ]
    assert [code for code, _ in form.fields["units"].choices] == [
        "TST1-ROOT",
        "MED",
        "CARD",
        "SURG",
    ]
    html = response.content.decode()
    assert 'name="opens[day]"' in html and 'name="closes[year]"' in html
    assert 'type="number"' in html and 'min="5"' in html


def test_opening_the_form_stores_nothing_and_creating_imports_the_built_in_instruments(
    client_for, trust
):
    client = client_for("od")
    assert client.get(reverse("surveys:wave_new")).status_code == 200
    assert not InstrumentVersion.objects.exists()
    assert not AuditEvent.objects.exists()
    client.post(reverse("surveys:wave_new"), new_wave_form())
    assert InstrumentVersion.objects.filter(organisation=trust["org"]).count() == 6
    imports = AuditEvent.objects.filter(action="survey.instrument_import")
    assert {event.actor_label for event in imports} == {"od@test.test"}


def test_creating_a_wave_through_the_form(client_for, trust):
    response = client_for("od").post(
        reverse("surveys:wave_new"),
        new_wave_form(staff_groups=["nursing_midwifery_registered"], respondent_chooses_unit="on"),
    )
    wave = Wave.objects.get(title="Autumn pulse")
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:wave", args=[wave.pk])
    assert wave.status == WaveStatus.DRAFT
    assert [i.code for i in wave.ordered_instruments()] == ["culture-pulse", "team-working"]
    assert sorted(u.code for u in wave.target_units.all()) == ["MED", "T1"]
    assert wave.staff_groups == ["nursing_midwifery_registered"]
    assert (wave.opens_on, wave.closes_on) == (date(2030, 10, 1), date(2030, 10, 31))
    assert (wave.reporting_threshold, wave.comment_threshold) == (11, 10)
    assert wave.respondent_chooses_unit
    assert AuditEvent.objects.filter(action="survey.wave_create", object_id=str(wave.pk)).exists()


@pytest.mark.parametrize(
    "overrides, message, anchor",
    [
        (
            {"reporting_threshold": "3"},
            "The reporting threshold must be 5 or more",
            "#reporting_threshold",
        ),
        (
            {"comment_threshold": "4"},
            "The comment threshold must be 5 or more",
            "#comment_threshold",
        ),
        ({"title": ""}, "Enter a title for the wave", "#title"),
        ({"instruments": []}, "Select at least one instrument", "#instruments"),
        (
            {"units": [], "unit_codes": ""},
            "Select at least one unit, or enter unit codes",
            "#units",
        ),
        ({"opens[month]": ""}, "The opening date must include a month", "#opens-day"),
        (
            {"closes[day]": "31", "closes[month]": "2"},
            "The closing date must be a real date",
            "#closes-day",
        ),
        (
            {"closes[day]": "1", "closes[month]": "9"},
            "The closing date must be the same as or after the opening date",
            "#closes-day",
        ),
        (
            {"unit_codes": "NOPE, OTH-ROOT"},
            "Unknown unit codes in TST1: NOPE, OTH-ROOT",
            "#unit_codes",
        ),
    ],
)
def test_form_errors_are_summarised_and_nothing_is_created(
    client_for, trust, overrides, message, anchor
):
    response = client_for("od").post(reverse("surveys:wave_new"), new_wave_form(**overrides))
    assert response.status_code == 400
    assert not Wave.objects.exists()
    summary = response.context_data["error_list"]
    assert any(message in entry["text"] and entry["href"] == anchor for entry in summary), summary
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "<title>Error:" in html
    assert 'value="Autumn pulse"' in html or overrides.get("title") == ""


# -- the wave page -----------------------------------------------------------------------


def action_urls(wave):
    return [
        reverse("surveys:launch", args=[wave.pk]),
        reverse("surveys:reminders", args=[wave.pk]),
        reverse("surveys:extend", args=[wave.pk]),
        reverse("surveys:close", args=[wave.pk]),
        reverse("surveys:device_link", args=[wave.pk]),
    ]


def test_a_draft_offers_preview_and_launch_only(client_for, trust):
    wave = make_wave(trust)
    response = client_for("od").get(reverse("surveys:wave", args=[wave.pk]))
    html = response.content.decode()
    assert reverse("surveys:preview", args=[wave.pk]) in html
    present = [url for url in action_urls(wave) if url in html]
    assert present == [reverse("surveys:launch", args=[wave.pk])]
    rows = {row["key"]: row["values"] for row in response.context_data["settings_rows"]}
    assert rows["Units surveyed (and every unit below them)"] == ["Medicine (MED)"]
    assert rows["Reporting threshold"] == ["Results for groups of 11 or more"]


def test_an_open_wave_offers_progress_reminders_extend_close_and_device_links(client_for, trust):
    wave = make_wave(trust, launch=True)
    first = Invitation.objects.filter(wave=wave).order_by("pk").first()
    Invitation.objects.filter(pk=first.pk).update(sent_at=timezone.now())
    response = client_for("od").get(reverse("surveys:wave", args=[wave.pk]))
    text = main(response)
    assert "Invitation emails sent: 1 of 8" in text
    html = response.content.decode()
    present = [url for url in action_urls(wave) if url in html]
    assert present == action_urls(wave)[1:]


def test_the_wave_page_polls_the_sending_count_until_every_email_has_gone(client_for, trust):
    wave = make_wave(trust, launch=True)
    sending = reverse("surveys:sending", args=[wave.pk])
    client = client_for("od")
    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()
    assert f'hx-get="{sending}" hx-trigger="every 2s"' in page
    invitations = Invitation.objects.filter(wave=wave).order_by("pk")
    Invitation.objects.filter(pk__in=invitations.values("pk")[:3]).update(sent_at=timezone.now())
    fragment = client.get(sending).content.decode()
    assert "Invitation emails sent: <strong>3 of 8</strong>" in fragment
    assert 'hx-trigger="every 2s"' in fragment and "<html" not in fragment
    invitations.update(sent_at=timezone.now())
    done = client.get(sending).content.decode()
    assert "8 of 8</strong> (all sent)" in done and "hx-trigger" not in done
    # Closed meanwhile: htmx's "stop polling" answer; and only those who manage waves may ask.
    services.close_wave(wave=wave, actor=SYSTEM)
    assert client.get(sending).status_code == 286
    assert client_for("staff").get(sending).status_code == 403


def test_people_without_email_are_counted(client_for, trust):
    wave = make_wave(trust, launch=True)
    trust["nurse_person"].email = ""
    trust["nurse_person"].save()
    text = main(client_for("od").get(reverse("surveys:wave", args=[wave.pk])))
    assert "Invitation emails sent: 0 of 7" in text
    assert "1 person has no email address" in text


def test_a_closed_wave_offers_no_action_at_all(client_for, trust):
    wave = make_wave(trust, launch=True)
    services.close_wave(wave=wave, actor=SYSTEM)
    response = client_for("od").get(reverse("surveys:wave", args=[wave.pk]))
    html = response.content.decode()
    assert [url for url in action_urls(wave) if url in html] == []
    assert 'method="post"' not in html[html.index("<main") : html.index("</main>")]
    assert "can no longer be changed" in main(response)


def test_every_action_on_a_closed_wave_is_refused_and_changes_nothing(client_for, trust):
    wave = make_wave(trust, launch=True)
    respond(wave, "W1", 2)
    services.close_wave(wave=wave, actor=SYSTEM)
    wave.refresh_from_db()
    before = (wave.status, wave.closes_on, wave.closed_at, DeviceLink.objects.count())
    events = AuditEvent.objects.count()
    client = client_for("od")
    launch = client.post(reverse("surveys:launch", args=[wave.pk]))
    assert launch.status_code == 400
    assert launch.context_data["error_list"] == [
        {"text": "Spring pulse has already been launched.", "href": "#launch"}
    ]
    for url in action_urls(wave)[1:]:
        response = client.post(
            url,
            {"closes[day]": "1", "closes[month]": "1", "closes[year]": "2099", "unit": "W1"},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == reverse("surveys:wave", args=[wave.pk]), url
        assert "nhsuk-notification-banner" in response.content.decode()
    for url in [
        reverse("surveys:launch", args=[wave.pk]),
        reverse("surveys:extend", args=[wave.pk]),
        reverse("surveys:close", args=[wave.pk]),
    ]:
        assert client.get(url)["Location"] == reverse("surveys:wave", args=[wave.pk])
    wave.refresh_from_db()
    assert (wave.status, wave.closes_on, wave.closed_at, DeviceLink.objects.count()) == before
    assert Response.objects.filter(wave=wave).count() == 2
    assert AuditEvent.objects.count() == events


def test_the_services_refuse_to_change_a_closed_wave(trust):
    wave = make_wave(trust, launch=True)
    services.close_wave(wave=wave, actor=SYSTEM)
    wave.refresh_from_db()
    with pytest.raises(Conflict, match="already been launched"):
        services.launch_wave(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict, match="Only an open wave can be extended"):
        services.extend_wave(wave=wave, closes_on=date.today() + timedelta(days=30), actor=SYSTEM)
    with pytest.raises(Conflict, match="Only an open wave can be closed"):
        services.close_wave(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict, match="only while the wave is open"):
        services.queue_reminders(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict, match="only while the wave is open"):
        services.queue_invitations(wave=wave, actor=SYSTEM)
    with pytest.raises(Conflict, match="closed"):
        services.device_link_for(wave=wave, unit=trust["units"]["W1"], actor=SYSTEM)


# -- preview -----------------------------------------------------------------------------


def test_the_preview_shows_every_question_and_saves_nothing(client_for, trust):
    wave = make_wave(trust)
    response = client_for("od").get(reverse("surveys:preview", args=[wave.pk]))
    assert response.status_code == 200
    text = main(response)
    assert "This is a preview" in text and "Nothing you select is saved" in text
    for instrument in services.wave_instruments(wave):
        assert instrument.title in text
        for section in instrument.sections:
            assert section.title in text
        for item in instrument.items:
            assert item.text in text
    assert "Asked only if the answer to “Do you work in a team?” is “Yes”." in text
    html = response.content.decode()
    assert "<form" not in html[html.index("<main") : html.index("</main>")]
    assert 'value="dk"' in html


def test_the_preview_works_for_an_open_wave_and_shows_the_team_choice(client_for, trust):
    wave = make_wave(trust, launch=True, respondent_chooses_unit=True)
    response = client_for("od").get(reverse("surveys:preview", args=[wave.pk]))
    assert response.status_code == 200
    assert "Which team do you work in?" in main(response)
    assert "Ward 2" in main(response)


# -- launch, reminders, extend, close ----------------------------------------------------


def test_launching_invites_and_emails_everyone(
    client_for, trust, django_capture_on_commit_callbacks
):
    wave = make_wave(trust)
    client = client_for("od")
    confirm = client.get(reverse("surveys:launch", args=[wave.pk]))
    assert "8 people match" in main(confirm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:launch", args=[wave.pk]), follow=True)
    wave.refresh_from_db()
    assert wave.is_open
    assert Invitation.objects.filter(wave=wave).count() == 8
    assert len(mail.outbox) == 8
    assert all(message.subject == "Spring pulse" for message in mail.outbox)
    assert "8 people are invited" in main(response)
    # The emails went once the launch was committed.
    text = main(client.get(reverse("surveys:wave", args=[wave.pk])))
    assert "Invitation emails sent: 8 of 8 (all sent)" in text
    assert AuditEvent.objects.filter(action="survey.wave_launch").exists()
    assert AuditEvent.objects.filter(action="survey.invitations_queue").exists()


def test_launch_refusal_is_shown_on_the_confirmation_page(client_for, trust):
    wave = make_wave(trust, units=["MED"], staff_groups=["medical_dental"])
    response = client_for("od").post(reverse("surveys:launch", args=[wave.pk]))
    assert response.status_code == 400
    assert "Nobody matches this wave" in main(response)
    wave.refresh_from_db()
    assert wave.is_draft


def test_reminders_go_only_to_people_who_have_not_responded(
    client_for, trust, django_capture_on_commit_callbacks
):
    wave = make_wave(trust, launch=True)
    Invitation.objects.filter(wave=wave).update(sent_at=timezone.now())
    answered = respond(wave, "W1", 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("od").post(reverse("surveys:reminders", args=[wave.pk]), follow=True)
    assert "Reminders are being sent" in main(response)
    reminded = {message.to[0] for message in mail.outbox}
    assert len(reminded) == 5
    assert not reminded & {invitation.person.email for invitation in answered}
    assert all(message.subject == "Reminder: Spring pulse" for message in mail.outbox)


def test_extending_a_wave(client_for, trust):
    wave = make_wave(trust, launch=True)
    client = client_for("od")
    later = date.today() + timedelta(days=20)
    bad = client.post(
        reverse("surveys:extend", args=[wave.pk]),
        {"closes[day]": "40", "closes[month]": "1", "closes[year]": "2030"},
    )
    assert bad.status_code == 400
    assert "The new closing date must be a real date" in main(bad)
    past = date.today() - timedelta(days=1)
    refused = client.post(
        reverse("surveys:extend", args=[wave.pk]),
        {"closes[day]": past.day, "closes[month]": past.month, "closes[year]": past.year},
    )
    assert refused.status_code == 400
    assert "not in the past" in main(refused)
    response = client.post(
        reverse("surveys:extend", args=[wave.pk]),
        {"closes[day]": later.day, "closes[month]": later.month, "closes[year]": later.year},
    )
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.closes_on == later
    assert AuditEvent.objects.filter(action="survey.wave_extend").count() == 1


def test_closing_asks_for_confirmation_then_closes_for_good(client_for, trust):
    wave = make_wave(trust, launch=True)
    respond(wave, "W1", 3)
    client = client_for("od")
    confirm = client.get(reverse("surveys:close", args=[wave.pk]))
    assert "Closing is final" in main(confirm)
    wave.refresh_from_db()
    assert wave.is_open
    response = client.post(reverse("surveys:close", args=[wave.pk]), follow=True)
    wave.refresh_from_db()
    assert wave.is_closed
    assert Response.objects.filter(wave=wave).count() == 3
    assert "is closed" in main(response)


# -- device links ------------------------------------------------------------------------


def test_device_links_and_their_qr_posters(client_for, trust, settings):
    settings.COLEAD_BASE_URL = "https://colead.example.nhs.uk/"
    wave = make_wave(trust, launch=True)
    client = client_for("od")
    response = client.post(
        reverse("surveys:device_link", args=[wave.pk]), {"unit": "W2"}, follow=True
    )
    link = DeviceLink.objects.get(wave=wave)
    assert link.unit.code == "W2"
    url = f"https://colead.example.nhs.uk/take/device/{link.slug}/"
    assert url in main(response)
    poster_url = reverse("surveys:device_poster", args=[wave.pk, link.slug])
    assert poster_url == f"/surveys/{wave.pk}/device/{link.slug}/poster.pdf"
    assert poster_url in response.content.decode()
    # Asking again for the same unit gives the same link.
    client.post(reverse("surveys:device_link", args=[wave.pk]), {"unit": "W2"})
    assert DeviceLink.objects.filter(wave=wave).count() == 1

    poster = client.get(poster_url)
    assert poster.status_code == 200
    assert poster["Content-Type"] == "application/pdf"
    assert poster.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="survey.device_poster_download")
    assert event.detail == {"unit": "W2"} and event.object_id == str(wave.pk)


def test_a_device_link_only_for_a_unit_the_wave_surveys(client_for, trust):
    wave = make_wave(trust, launch=True)
    for code in ["T1", "OTH-ROOT", "NOPE", ""]:
        response = client_for("od").post(
            reverse("surveys:device_link", args=[wave.pk]), {"unit": code}, follow=True
        )
        assert "Select a unit surveyed by this wave" in main(response)
    assert not DeviceLink.objects.exists()


def test_a_poster_for_an_unknown_link_is_not_found(client_for, trust):
    wave = make_wave(trust, launch=True)
    other = make_wave(trust, launch=True, title="Other")
    link = services.device_link_for(wave=other, unit=trust["units"]["W1"], actor=SYSTEM)
    url = reverse("surveys:device_poster", args=[wave.pk, link.slug])
    assert client_for("od").get(url).status_code == 404


def test_device_responses_count_in_the_list(client_for, trust):
    wave = make_wave(trust, units=["TST1-ROOT"], threshold=5, launch=True)
    device_responses(wave, trust["units"]["W2"], 6)
    rows = client_for("od").get(reverse("surveys:wave_list")).context_data["rows"]
    assert (rows[0]["invited"], rows[0]["responded"]) == ("12", "6")


def test_an_open_wave_past_its_closing_date_says_so(client_for, trust):
    yesterday = date.today() - timedelta(days=1)
    wave = make_wave(
        trust, launch=True, opens_on=yesterday - timedelta(days=7), closes_on=yesterday
    )
    text = main(client_for("od").get(reverse("surveys:wave", args=[wave.pk])))
    assert "The closing date has passed" in text
    fresh = make_wave(trust, launch=True, title="Fresh", closes_on=date.today())
    assert "The closing date has passed" not in main(
        client_for("od").get(reverse("surveys:wave", args=[fresh.pk]))
    )


def test_no_poster_once_the_wave_is_closed(client_for, trust):
    wave = make_wave(trust, launch=True)
    link = services.device_link_for(wave=wave, unit=trust["units"]["W1"], actor=SYSTEM)
    services.close_wave(wave=wave, actor=SYSTEM)
    response = client_for("od").get(reverse("surveys:device_poster", args=[wave.pk, link.slug]))
    assert response["Location"] == reverse("surveys:wave", args=[wave.pk])
    assert not AuditEvent.objects.filter(action="survey.device_poster_download").exists()
