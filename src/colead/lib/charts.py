"""Charts drawn on the server: a Vega-Lite spec to SVG with vl-convert, no browser script.

The SVG is shown as an image with a short text alternative; every chart's figures are
also in a table beside it, so nothing is only in the picture."""

import base64
import json

from colead.lib import memory


@memory.cached(maxsize=128)
def _render(spec_json: str) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(json.loads(spec_json))


def svg(spec: dict) -> str:
    return _render(json.dumps(spec, sort_keys=True))


def svg_data_uri(spec: dict) -> str:
    """The chart as a data: URI for an <img> (allowed by the page's img-src policy)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(spec).encode()).decode()
