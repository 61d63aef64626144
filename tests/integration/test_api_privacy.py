"""Protected characteristics never leave through the API, whoever asks."""

import pytest

from colead.accounts.models import ApiToken
from colead.org.models import Person, ProtectedCharacteristics
from colead.org.reference import PROTECTED_FIELDS

# Values no other field could contain by chance.
MARKERS = {
    "ethnicity": "ZZ-ETHNICITY-MARKER",
    "sex": "ZZ-SEX-MARKER",
    "disability": "ZZ-DISABILITY-MARKER",
    "age_band": "ZZ-AGE-MARKER",
}

PATHS = [
    "/me",
    "/organisations",
    "/organisations/TST1",
    "/organisations/TST1/units",
    "/organisations/TST1/units/tree",
    "/organisations/TST1/units/W1",
    "/organisations/TST1/units/TST1-ROOT/subtree",
    "/organisations/TST1/people?limit=500",
    "/organisations/TST1/people?include_leavers=true&limit=500",
    "/organisations/TST1/people/S1",
    "/organisations/TST1/people/M1",
]


@pytest.fixture
def characteristics(trust):
    for person in Person.objects.filter(organisation=trust["org"]):
        ProtectedCharacteristics.objects.create(person=person, **MARKERS)


@pytest.mark.parametrize("persona", ["admin", "staff", "manager"])
def test_no_response_contains_protected_characteristics(
    client, persona_users, characteristics, persona
):
    _, raw = ApiToken.generate(user=persona_users[persona])
    seen_ok = 0
    for path in PATHS:
        response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {raw}"})
        text = response.content.decode()
        for field, marker in MARKERS.items():
            assert marker not in text, f"{field} value leaked from {path}"
            assert f'"{field}"' not in text, f"{field} key leaked from {path}"
        seen_ok += response.status_code == 200
    # The check means something only if people were actually returned.
    assert seen_ok >= 7


def test_the_person_schema_has_no_protected_fields(client):
    schema = client.get("/api/v1/openapi.json").json()
    for name, component in schema["components"]["schemas"].items():
        for field in PROTECTED_FIELDS:
            assert field not in component.get("properties", {}), f"{name}.{field}"
