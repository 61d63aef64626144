"""Statistical terms for analysts (core/jinja2/macros/terms.jinja): each term and its
definition in an NHS.UK details element, one wording for every page."""

import re

import pytest
from django.template import engines


def render(code: str) -> str:
    source = '{% from "macros/terms.jinja" import term %}{{ term(code) }}'
    return engines["jinja2"].from_string(source).render({"code": code})


@pytest.mark.parametrize(
    ("code", "name", "definition"),
    [
        ("pearson", "Pearson’s r", "covariance of two measures"),
        ("r2", "R² (coefficient of determination)", "share of the variance of the outcome"),
        ("icc", "ICC(1) and ICC(2): intraclass correlation", "k0 = (N − Σn² ÷ N) ÷ (G − 1)"),
        ("rwg", "rwg(J): within-group agreement", "σ² = (A² − 1) ÷ 12"),
        ("alpha", "Cronbach’s alpha", "Σ item variances"),
    ],
)
def test_each_term_is_a_details_element_with_its_definition(code, name, definition):
    html = render(code)
    assert html.count('<details class="nhsuk-details') == 1
    summary = re.search(r'<span class="nhsuk-details__summary-text">\s*(.*?)\s*</span>', html)
    assert summary.group(1) == f"For analysts: {name}"
    assert definition in html


def test_the_icc_definition_says_how_r_differs():
    assert "multilevel::ICC1" in render("icc") and "mean team size" in render("icc")
