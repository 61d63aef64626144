"""The printable QR poster for a ward's shared link."""

import re

import pytest
from django.test import override_settings

from colead.core.actor import Actor
from colead.surveys import poster, services
from tests.integration.test_take_pages import make_wave

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.django_db


def page_texts(document) -> list[str]:
    """The text of each laid-out page, from WeasyPrint's boxes."""

    def walk(box):
        text = getattr(box, "text", None)
        if text:
            yield text
        for child in getattr(box, "children", None) or []:
            yield from walk(child)

    return [" ".join(walk(page._page_box)) for page in document.pages]


@pytest.fixture
def link(trust):
    wave = make_wave(trust)
    return services.device_link_for(wave=wave, unit=trust["units"]["W1"], actor=SYSTEM)


@override_settings(COLEAD_BASE_URL="https://colead.example.nhs.uk/")
def test_the_url_is_absolute_and_points_at_the_device_link(link):
    assert poster.device_link_url(link) == f"https://colead.example.nhs.uk/take/device/{link.slug}/"


@override_settings(COLEAD_BASE_URL="https://colead.example.nhs.uk")
def test_the_poster_is_one_a4_page_with_the_wave_unit_promise_and_address(link):
    document = poster.poster_document(link)
    assert len(document.pages) == 1
    page = document.pages[0]
    assert round(page.width * 25.4 / 96) == 210 and round(page.height * 25.4 / 96) == 297
    text = re.sub(r"\s+", " ", page_texts(document)[0])
    assert "Spring pulse" in text
    assert "Ward 1" in text
    assert "Test Trust" in text
    assert "Your answers are anonymous." in text
    assert "groups of 11 or more people" in text
    assert f"https://colead.example.nhs.uk/take/device/{link.slug}/" in text.replace(" ", "")


def boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from boxes(child)


def test_poster_pdf_is_a_pdf_with_a_vector_qr_code(link):
    pdf = poster.poster_pdf(link)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    html = poster.poster_html(link)
    assert html.count("<svg") == 1 and 'class="segno"' in html
    # WeasyPrint lays the SVG out as an image 105 mm wide (96 CSS px to the inch).
    document = poster.poster_document(link)
    images = [
        box
        for box in boxes(document.pages[0]._page_box)
        if type(box).__name__ == "InlineReplacedBox"
    ]
    assert len(images) == 1
    assert round(images[0].width * 25.4 / 96) == 105


def test_names_are_escaped_in_the_poster(link):
    unit = link.unit
    unit.name = "<b>Ward & Co</b>"
    unit.save()
    html = poster.poster_html(link)
    assert "&lt;b&gt;Ward &amp; Co&lt;/b&gt;" in html
    assert "<b>Ward" not in html
