from colead.accounts.permissions import has_permission
from colead.accounts.roles import Permission


def test_manager_can_see_people_in_own_subtree_only(trust, persona_users):
    manager = persona_users["manager"]
    units = trust["units"]
    assert has_permission(manager, Permission.PERSON_VIEW, units["W1"])
    assert not has_permission(manager, Permission.PERSON_VIEW, units["W2"])
    assert not has_permission(manager, Permission.PERSON_VIEW, organisation=trust["org"])


def test_roles_never_cross_organisations(trust, persona_users):
    outsider = persona_users["outsider"]
    assert not has_permission(outsider, Permission.ORG_VIEW, trust["units"]["W1"])
    assert has_permission(outsider, Permission.ORG_VIEW, organisation=trust["other"])


def test_staff_cannot_import(trust, persona_users):
    assert not has_permission(
        persona_users["staff"], Permission.WORKFORCE_IMPORT, organisation=trust["org"]
    )
    assert has_permission(
        persona_users["admin"], Permission.WORKFORCE_IMPORT, organisation=trust["org"]
    )
