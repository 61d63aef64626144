"""A scored wave as bytes and back: the compact form stored in ``WaveScores.data``.

No Django imports. The bytes are a NumPy ``.npz`` archive (deflate-compressed, no pickles):

* ``codes``: respondents × items ``uint8`` answer codes (``scoring``: 0 blank, 1..p the
  option, 255 don't know), rows grouped by reporting unit;
* ``units``: each row's reporting unit id (``int64``);
* ``items``: the item codes of the columns, checked against the scheme when loading;
* for each breakdown ``NAME`` (staff group and the other demographic fields the responses
  carry): ``breakdown.NAME.index`` (``int16``, −1 for none) and ``breakdown.NAME.labels``.

It holds nothing else: no response ids, days, comments or sources. Rows are in reporting
unit order, so their order says nothing about when anyone answered.
"""

from __future__ import annotations

import io

import numpy as np

from colead.insights.engine import ScoredWave
from colead.insights.scoring import ScoringScheme

FORMAT = 1
_PREFIX = "breakdown."


def pack(scored: ScoredWave) -> bytes:
    arrays = {
        "codes": np.ascontiguousarray(scored.codes),
        "units": np.asarray(scored.units, dtype=np.int64),
        "items": np.asarray(scored.scheme.item_codes, dtype=str),
    }
    for name, (index, labels) in scored.breakdowns.items():
        arrays[f"{_PREFIX}{name}.index"] = np.asarray(index, dtype=np.int16)
        arrays[f"{_PREFIX}{name}.labels"] = np.asarray(labels, dtype=str)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def unpack(data: bytes, scheme: ScoringScheme, *, wave: str | None = None) -> ScoredWave:
    """The ScoredWave stored in ``data``, for the wave's scoring scheme. ValueError when the
    stored items are not the scheme's (the wave's instruments changed: score it again)."""
    with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as archive:
        items = archive["items"].tolist()
        if items != scheme.item_codes:
            raise ValueError(
                "the stored scores were made with different items; score the wave again "
                "(colead waves rescore WAVE)"
            )
        codes = np.asfortranarray(archive["codes"])
        units = archive["units"]
        breakdowns = {}
        for key in archive.files:
            if key.startswith(_PREFIX) and key.endswith(".index"):
                name = key[len(_PREFIX) : -len(".index")]
                labels = tuple(archive[f"{_PREFIX}{name}.labels"].tolist())
                breakdowns[name] = (archive[key].astype(np.int16), labels)
    if codes.shape[0] == 0:
        codes = np.zeros((0, len(scheme.items)), dtype=np.uint8, order="F")
    return ScoredWave(scheme, codes, units, breakdowns, wave)
