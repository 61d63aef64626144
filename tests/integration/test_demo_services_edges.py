"""The demo services' quieter paths: the start-up message lists only the demo users who
still hold their demo role, and generated data the importer refuses stops the build with
the importer's problems, keeping nothing."""

import pytest

from colead.accounts.models import RoleAssignment
from colead.core.actor import Actor
from colead.demo import services
from colead.demo.generator import DemoTrust
from colead.demo.objectives import TrustDirection
from colead.org.models import Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_no_demo_users_means_no_sign_ins():
    assert services.demo_sign_ins() == []


def test_a_demo_user_without_their_demo_role_is_not_offered(trust):
    admin, board = services.DEMO_USERS[0], services.DEMO_USERS[1]
    UserFactory(email=admin.email)  # the user is there, their role was taken away
    user = UserFactory(email=board.email)
    RoleAssignment.objects.create(user=user, organisation=trust["org"], role=board.role)
    assert services.demo_sign_ins() == [(board.email, f"{board.role.label} in TST1")]


def test_a_generated_workforce_the_importer_refuses_stops_the_build(monkeypatch):
    monkeypatch.setattr(DemoTrust, "workforce_csv", lambda self: b"employee_number\nE1\n")
    with pytest.raises(services.DemoBuildError) as raised:
        services.build_demo(seed=11, staff=600, actor=Actor.system("tests"), password="x")
    message = str(raised.value)
    assert message.startswith(f"The generated {services.MAIN_CODE} data did not import:\n")
    assert "first_name" in message  # the importer's own problem, naming a missing column
    assert not Organisation.objects.filter(code=services.MAIN_CODE).exists()


def test_generated_objectives_the_importer_refuses_stop_the_build(monkeypatch):
    monkeypatch.setattr(
        TrustDirection, "csv", lambda self, objectives, day: b"objective_code\nX1\n"
    )
    with pytest.raises(services.DemoBuildError) as raised:
        services.build_demo(seed=11, staff=600, actor=Actor.system("tests"), password="x")
    message = str(raised.value)
    assert message.startswith(f"The generated {services.MAIN_CODE} objectives did not import:\n")
    assert "title" in message  # the importer's own problem, naming a missing column
    assert not Organisation.objects.filter(code=services.MAIN_CODE).exists()
