"""colead.privacy: disclosure control for every figure about people that colead publishes.

Plain computation (numpy, scipy): no Django, no database, no colead app
(tests/unit/test_layering.py checks the imports). Every module that shows, exports or serves
a figure computed from people or about them -- survey results, response rates, and the
incident, 360, workforce, network and programme figures to come -- decides what may be
shown here, so that one set of rules, one set of property tests and one attacker stand
behind all of them. docs/privacy.md, "The privacy engine's API", says the same for readers.

Which call for which figure
---------------------------

**Counts and means over the unit tree** (people: respondents, staff, participants)::

    from colead.privacy.disclosure import Hierarchy, protect, redact_rows, redact_frame
    tree = Hierarchy.build(unit_ids, parent_ids)         # or Hierarchy.of(engine_tree)
    prot = protect(tree, n_by_unit, k)                   # n: each unit's whole subtree
    prot.unit_status(unit), prot.direct_status(unit)     # VISIBLE, PRIMARY, COMPLEMENTARY
    rows = redact_rows(rows, prot)                       # empties every hidden number

A mean (or percentage) is shown where its group's count is: score totals obey the same
relations as counts, so the same pattern protects them. Per measure, when some people have
no score: ``prot.refine(measure_n_by_unit)``. Below ``2k``: ``banded_percent`` (R6) and
``colead.privacy.figures.publishable_mean`` for what may stand beside a band.

**Breakdowns** (staff group, band, a protected characteristic)::

    prot = protect(tree, n_by_unit, k, {"staff_group": Breakdown(categories, counts)})
    prot.category_status(unit, "staff_group", category); prot.breakdown_allowed(unit, name)
    filter_allowed(n_selected, n_total, k); crosstab_allowed(table, k, at_organisation_level=)

Every breakdown offered anywhere goes into the same ``protect`` call, so views by different
breakdowns are cut from one pattern. Protected characteristics: ``representation``
(``protect_representation``, R4's 50 below the organisation) and ``relative_likelihood``.

**Periods** (people by unit and month: staff in post, starters, leavers)::

    from colead.privacy.periods import PERIOD, protect_periods
    prot = protect_periods(tree, counts_by_unit_and_month, months, k)
    prot.category_status(unit, PERIOD, month); prot.unit_status(unit)  # the whole period

Months are a breakdown of every unit, so the exact audit of ``disclosure`` covers row
totals, column totals and the tree together.

**Comparisons**: between units or with the rest of the organisation, only among figures
``protect`` shows (a hidden group's figures never move a label shown); change over time only
under R5, ``change_visible(n_now, n_before, k, visible_now=, visible_before=)``.

**Comments**: ``protect_comments(tree, commenters_by_unit, comment_threshold)``.

**Events, not people** (incidents: R8)::

    from colead.privacy.events import protect_events
    table = protect_events(tree, own_counts_by_unit_and_month, months)  # threshold 5
    table.display(unit, month)   # "0", "12", "Fewer than 5", or why it is hidden

**360 feedback** (R7): ``raters.rater_blocks(counts_by_rater_group)`` gives the blocks a
report shows (self, the attributed line manager, groups of 3 or more, a merged "Others").

**Stored responses**: ``roster.generalise`` (every stored response matches at least ``k``
invited people once a wave closes).

The modules
-----------

``disclosure`` (R1-R6, comments: the model and the exact audit), ``figures`` (means and
intervals beside a band), ``periods`` (unit x month tables of people), ``events`` (R8),
``intervals`` (the interval audit R8 uses: bounds as well as equalities), ``raters`` (R7),
``representation`` (protected characteristics, relative likelihoods), ``roster`` (stored
responses against the invited roster).
"""
