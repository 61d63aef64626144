"""A printable A4 poster for a shared-device (ward) link: a QR code and the address in words.

``poster_pdf(link)`` returns the PDF's bytes; the wave-management pages serve it. The QR code
is drawn as vector SVG (segno) inside the HTML that WeasyPrint lays out, so it prints sharp
at any size. Everything shown comes from the wave and unit records and is escaped by the
template; only the QR code's own SVG, which segno generates from the link, is inserted as
markup.
"""

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from markupsafe import Markup

from colead.surveys.models import DeviceLink


def device_link_url(link: DeviceLink) -> str:
    """The absolute address a ward's link opens: COLEAD_BASE_URL + /take/device/<slug>/."""
    return settings.COLEAD_BASE_URL.rstrip("/") + reverse("take:device", args=[link.slug])


def qr_svg(url: str) -> Markup:
    """The QR code for ``url`` as inline SVG markup, sized by CSS (no width or height)."""
    code = segno.make(url, error="m", micro=False)
    # segno writes only its own path data and a fixed title: no text from a user.
    return Markup(code.svg_inline(scale=1, border=4, omitsize=True, title="QR code"))


def poster_html(link: DeviceLink) -> str:
    url = device_link_url(link)
    wave = link.wave
    return render_to_string(
        "take/poster.jinja",
        {
            "wave": wave,
            "organisation": wave.organisation,
            "unit": link.unit,
            "url": url,
            "qr": qr_svg(url),
        },
    )


def poster_document(link: DeviceLink):
    """The poster laid out by WeasyPrint (a ``weasyprint.Document``), ready to write."""
    from weasyprint import HTML  # imported here: WeasyPrint is slow to import

    return HTML(string=poster_html(link), base_url=settings.COLEAD_BASE_URL).render()


def poster_pdf(link: DeviceLink) -> bytes:
    """An A4 PDF poster for ``link``: wave title, unit name, anonymity promise, QR code and
    the address in text."""
    return poster_document(link).write_pdf()
