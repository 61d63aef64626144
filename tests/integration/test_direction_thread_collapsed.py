"""The golden thread starts collapsed below directorates: organisation and division
objectives open, every directorate's and team's closed (still on the page, in details)."""

from tests.integration.direction_fixtures import golden_thread, make


def nodes_by_code(nodes, found=None):
    found = {} if found is None else found
    for node in nodes:
        found[node.code] = node
        nodes_by_code(node.children, found)
    return found


def test_the_thread_opens_organisation_and_division_objectives_only(client_for, trust):
    golden_thread(trust)
    # A directorate objective serving the organisation's directly sits one level down,
    # where a division's would: it starts closed all the same.
    make(trust, "CARD2", "CARD", parents=["ORG1"], status="active")
    make(trust, "W1-C", "W1", parents=["CARD2"], status="active")
    response = client_for("board").get("/direction/")
    nodes = nodes_by_code(response.context_data["roots"])
    with_children = {code for code, node in nodes.items() if node.children}
    assert with_children == {"ORG1", "MED1", "CARD1", "CARD2", "W1-A"}
    assert {code for code in with_children if nodes[code].open} == {"ORG1", "MED1"}
    assert [child.code for child in nodes["CARD2"].children] == ["W1-C"]
    html = response.content.decode()
    assert html.count('<details class="colead-tree__details" open>') == 2
    assert html.count('<details class="colead-tree__details">') == 3
