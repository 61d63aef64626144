"""Pages name people by their name, not their email address."""

from django.utils import timezone

from colead.direction import services
from tests.integration.direction_fixtures import SYSTEM, as_user


def test_the_vision_page_names_who_recorded_the_boards_approval(client_for, persona_users, trust):
    draft = services.save_vision_draft(
        organisation=trust["org"], vision="Care we are proud of.", actor=SYSTEM
    )
    services.approve_vision(
        vision=draft, approved_on=timezone.localdate(), actor=as_user(persona_users["board"])
    )
    html = client_for("staff").get("/direction/vision/").content.decode()
    assert "(recorded by Board Persona)" in html
    assert "board@test.test" not in html
