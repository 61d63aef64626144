"""Scoring survey answers: item scores on 0–10, respondent dimension scores, positive flags.

No Django imports. The rules (docs/instruments.md "Scoring conventions"):

* Option *i* of a *p*-point scale scores 10·(i − 1)/(p − 1); a reverse item is turned round
  first (option *i* scores as option p + 1 − i). Yes/no scores 10 for yes, 0 for no (turned
  round for a reverse item). "Don't know" and blank are missing.
* A respondent's dimension score is the mean of their answered item scores of that dimension
  when they answered at least ``min_answered`` of its items (default: half the items,
  rounded up), else missing.
* A dimension made of sub-dimensions (staff engagement) is the mean of the respondent's
  sub-dimension scores, each needing at least one answered item, and only when every
  sub-dimension has a score.
* An answer is *positive* when its option, after turning a reverse item round, is one of the
  scale's ``positive`` options (by default the top two of a five-point scale). For yes/no,
  yes is positive (no, for a reverse item).

Answers are held compactly as a respondents × items matrix of ``uint8`` codes: ``MISSING``
(0) for blank, 1..p for the option, ``DONT_KNOW`` (255); yes/no is coded no = 1, yes = 2.
``encode_answers`` builds it from stored answers (``{item_code: "1".."p" | "dk" | "yes" |
"no"}``), ``encode_frame`` from a polars DataFrame with one column per item.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from colead.surveys.definitions import Instrument

MISSING = 0
DONT_KNOW = 255
NO, YES = 1, 2
DONT_KNOW_ANSWER = "dk"

# Field layout of the packed per-answer value the engine sums (see ``ScoringScheme.packed``):
# bits 0–11 answered (0/1), 12–27 q, 28–39 positive (0/1), 40–63 q², where q is the
# turned-round option minus one (0..p − 1) and the item score is q·10/(p − 1). Summing up to
# PACKED_ROWS values cannot carry from one field into the next. Summed over a respondent's
# items, the low 28 bits are answered + 4096·Σq: one number that fixes their dimension score.
PACKED_ROWS = 4095
ANSWERED_SHIFT, Q_SHIFT, POSITIVE_SHIFT, Q2_SHIFT = 0, 12, 28, 40
FIELD_12 = (1 << 12) - 1
FIELD_16 = (1 << 16) - 1
FIELD_28 = (1 << 28) - 1

# The real-team questions of the team-working instrument (docs/instruments.md).
IN_TEAM = "in_team"
REAL_TEAM_CRITERIA = ("rt_objectives", "rt_interdependent", "rt_reviews")
NO_TEAM, PSEUDO_TEAM, REAL_TEAM, TEAM_UNKNOWN = 0, 1, 2, -1


@dataclass(frozen=True)
class ScoredItem:
    """What scoring needs to know about one scale or yes/no item."""

    code: str
    instrument: str
    type: str  # "scale" or "yes_no"
    points: int
    reverse: bool
    positive: tuple[int, ...]  # option codes (as stored, 1..p) that count as positive
    dimensions: tuple[str, ...]
    text: str = ""

    def score(self, option: int) -> float:
        """The 0–10 score of option code ``option`` (NaN for missing or don't know)."""
        if not 1 <= option <= self.points:
            return math.nan
        turned = self.points + 1 - option if self.reverse else option
        return 10.0 * (turned - 1) / (self.points - 1)

    def encode(self, value) -> int:
        """The uint8 code of a stored answer ("1".."p", "dk", "yes"/"no", None)."""
        if value is None or value == "":
            return MISSING
        text = str(value)
        if text == DONT_KNOW_ANSWER:
            return DONT_KNOW
        if self.type == "yes_no":
            if text == "yes":
                return YES
            if text == "no":
                return NO
        elif text.isdecimal() and 1 <= int(text) <= self.points:
            return int(text)
        raise ValueError(f"{self.code}: {value!r} is not an answer to this item")


@dataclass(frozen=True)
class ScoredDimension:
    code: str
    title: str
    instrument: str
    items: tuple[str, ...]  # item codes feeding it directly (empty for a parent dimension)
    min_answered: int
    subdimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoringScheme:
    """Item and dimension metadata of a wave's instruments, with lookup tables.

    ``items`` are the scale and yes/no items in instrument order (the columns of the codes
    matrix); ``dimensions`` are in instrument order with every parent after its
    sub-dimensions. Build one with ``scoring_scheme(instruments)``.
    """

    items: tuple[ScoredItem, ...]
    dimensions: tuple[ScoredDimension, ...]
    item_index: dict[str, int] = field(init=False, repr=False, compare=False)
    dimension_index: dict[str, int] = field(init=False, repr=False, compare=False)
    scores: np.ndarray = field(init=False, repr=False, compare=False)
    positives: np.ndarray = field(init=False, repr=False, compare=False)
    packed: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        item_index = {item.code: i for i, item in enumerate(self.items)}
        dimension_index = {dim.code: i for i, dim in enumerate(self.dimensions)}
        m = len(self.items)
        scores = np.full((m, 256), np.nan)
        positives = np.full((m, 256), np.nan, dtype=np.float32)
        packed = np.zeros((m, 256), dtype=np.uint64)
        for j, item in enumerate(self.items):
            for option in range(1, item.points + 1):
                q = item.points - option if item.reverse else option - 1
                is_positive = option in item.positive
                scores[j, option] = 10.0 * q / (item.points - 1)
                positives[j, option] = 1.0 if is_positive else 0.0
                packed[j, option] = (
                    (1 << ANSWERED_SHIFT)
                    | (int(is_positive) << POSITIVE_SHIFT)
                    | (q << Q_SHIFT)
                    | (q * q << Q2_SHIFT)
                )
        for name, value in (
            ("item_index", item_index),
            ("dimension_index", dimension_index),
            ("scores", scores),
            ("positives", positives),
            ("packed", packed),
        ):
            object.__setattr__(self, name, value)

    @property
    def item_codes(self) -> list[str]:
        return [item.code for item in self.items]

    @property
    def dimension_codes(self) -> list[str]:
        return [dim.code for dim in self.dimensions]

    def item(self, code: str) -> ScoredItem:
        return self.items[self.item_index[code]]

    def dimension(self, code: str) -> ScoredDimension:
        return self.dimensions[self.dimension_index[code]]

    def dimension_items(self, code: str) -> list[int]:
        """Column positions of the items under a dimension (through its sub-dimensions)."""
        dim = self.dimension(code)
        if dim.subdimensions:
            return [j for sub in dim.subdimensions for j in self.dimension_items(sub)]
        return [self.item_index[c] for c in dim.items]

    def has_real_team_items(self) -> bool:
        return all(code in self.item_index for code in (IN_TEAM, *REAL_TEAM_CRITERIA))


def default_min_answered(items: int) -> int:
    """Half the items, rounded up."""
    return max(1, math.ceil(items / 2))


def scoring_scheme(instruments: Iterable[Instrument]) -> ScoringScheme:
    """The scoring scheme of a wave's instruments (scale and yes/no items, all dimensions)."""
    items: list[ScoredItem] = []
    dimensions: list[ScoredDimension] = []
    for instrument in instruments:
        for item in instrument.items:
            if item.type == "scale":
                positive = tuple(
                    instrument_option
                    for instrument_option in range(1, item.scale.points + 1)
                    if (
                        item.scale.points + 1 - instrument_option
                        if item.reverse
                        else instrument_option
                    )
                    in item.scale.positive
                )
                points = item.scale.points
            elif item.type == "yes_no":
                positive = (NO,) if item.reverse else (YES,)
                points = 2
            else:
                continue
            items.append(
                ScoredItem(
                    code=item.code,
                    instrument=instrument.code,
                    type=item.type,
                    points=points,
                    reverse=item.reverse,
                    positive=positive,
                    dimensions=tuple(item.dimensions),
                    text=item.text,
                )
            )
        parents = []
        for dim in instrument.dimensions.values():
            fed = tuple(i.code for i in instrument.items if dim.code in i.dimensions)
            scored = ScoredDimension(
                code=dim.code,
                title=dim.title,
                instrument=instrument.code,
                items=() if dim.subdimensions else fed,
                min_answered=(
                    1
                    if dim.subdimensions
                    else dim.min_answered
                    if dim.min_answered is not None
                    else default_min_answered(len(fed))
                ),
                subdimensions=tuple(dim.subdimensions),
            )
            (parents if dim.subdimensions else dimensions).append(scored)
        dimensions.extend(parents)
    _check_unique([i.code for i in items], "item")
    _check_unique([d.code for d in dimensions], "dimension")
    return ScoringScheme(tuple(items), tuple(dimensions))


def _check_unique(codes: list[str], what: str) -> None:
    seen, repeated = set(), set()
    for code in codes:
        (repeated if code in seen else seen).add(code)
    if repeated:
        raise ValueError(
            f"{what} codes must be unique across a wave's instruments; repeated: "
            + ", ".join(sorted(repeated))
        )


# -- encoding ---------------------------------------------------------------------------------


def empty_codes(respondents: int, items: int) -> np.ndarray:
    """A respondents × items code matrix, column-major so each item's column is contiguous."""
    return np.zeros((respondents, items), dtype=np.uint8, order="F")


def encode_answers(scheme: ScoringScheme, answers: Sequence[Mapping]) -> np.ndarray:
    """Code matrix from stored answer dicts (one per respondent). Items a respondent did not
    answer, or that are not in the scheme, are ignored; an impossible value raises ValueError."""
    codes = empty_codes(len(answers), len(scheme.items))
    index = scheme.item_index
    for row, answer in enumerate(answers):
        for code, value in answer.items():
            j = index.get(code)
            if j is not None:
                codes[row, j] = scheme.items[j].encode(value)
    return codes


def encode_frame(scheme: ScoringScheme, frame: pl.DataFrame) -> np.ndarray:
    """Code matrix from a DataFrame with one column per item code (strings as stored, or
    integer codes already). Scheme items with no column are left missing."""
    codes = empty_codes(frame.height, len(scheme.items))
    for j, item in enumerate(scheme.items):
        if item.code not in frame.columns:
            continue
        column = frame.get_column(item.code)
        if column.dtype.is_integer():
            values = column.fill_null(MISSING).to_numpy()
            bad = ~(
                (values == MISSING)
                | (values == DONT_KNOW)
                | ((values >= 1) & (values <= item.points))
            )
            if bad.any():
                raise ValueError(f"{item.code}: code {values[bad][0]} is not an answer")
            codes[:, j] = values.astype(np.uint8)
            continue
        mapping = {str(option): option for option in range(1, item.points + 1)}
        if item.type == "yes_no":
            mapping = {"yes": YES, "no": NO}
        mapping[DONT_KNOW_ANSWER] = DONT_KNOW
        mapping[""] = MISSING
        text = column.cast(pl.String)
        mapped = text.replace_strict(mapping, default=None, return_dtype=pl.UInt8)
        bad = mapped.is_null() & text.is_not_null()
        if bad.any():
            raise ValueError(f"{item.code}: {text.filter(bad)[0]!r} is not an answer to this item")
        codes[:, j] = mapped.fill_null(MISSING).to_numpy()
    return codes


# -- respondent-level scores (straightforward, for notebooks and as the engine's reference) ---


def item_scores(scheme: ScoringScheme, codes: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Respondents × items scores on 0–10 (float32 unless ``dtype`` says otherwise), NaN for
    missing or don't know."""
    out = np.empty(codes.shape, dtype=dtype, order="F")
    for j in range(codes.shape[1]):
        out[:, j] = scheme.scores[j][codes[:, j]]
    return out


def positive_flags(scheme: ScoringScheme, codes: np.ndarray) -> np.ndarray:
    """Respondents × items float32: 1 positive, 0 answered but not positive, NaN missing."""
    out = np.empty(codes.shape, dtype=np.float32, order="F")
    for j in range(codes.shape[1]):
        out[:, j] = scheme.positives[j][codes[:, j]]
    return out


def answered(codes: np.ndarray) -> np.ndarray:
    """Respondents × items bool: an option was chosen (not blank, not don't know)."""
    return (codes != MISSING) & (codes != DONT_KNOW)


def dimension_scores(
    scheme: ScoringScheme, codes: np.ndarray, scores: np.ndarray | None = None
) -> np.ndarray:
    """Respondents × dimensions float64 scores (columns in ``scheme.dimensions`` order)."""
    if scores is None:
        scores = item_scores(scheme, codes, np.float64)
    out = np.full((codes.shape[0], len(scheme.dimensions)), np.nan)
    at_least_one: dict[str, np.ndarray] = {}
    for d, dim in enumerate(scheme.dimensions):
        if dim.subdimensions:
            subs = np.column_stack([at_least_one[s] for s in dim.subdimensions])
            complete = ~np.isnan(subs).any(axis=1)
            out[complete, d] = subs[complete].mean(axis=1)
            continue
        block = scores[:, [scheme.item_index[c] for c in dim.items]].astype(np.float64)
        count = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count
        out[:, d] = np.where(count >= dim.min_answered, mean, np.nan)
        at_least_one[dim.code] = np.where(count >= 1, mean, np.nan)
    return out


def team_status(scheme: ScoringScheme, codes: np.ndarray) -> np.ndarray | None:
    """Each respondent's team status (docs/instruments.md, real teams) as int8: REAL_TEAM, PSEUDO_TEAM,
    NO_TEAM, or TEAM_UNKNOWN when it cannot be told (in_team unanswered, or yes with no
    criterion answered no and at least one unanswered). None without the team questions."""
    if not scheme.has_real_team_items():
        return None
    in_team = codes[:, scheme.item_index[IN_TEAM]]
    all_yes = np.ones(codes.shape[0], dtype=bool)
    any_no = np.zeros(codes.shape[0], dtype=bool)
    for code in REAL_TEAM_CRITERIA:
        column = codes[:, scheme.item_index[code]]
        all_yes &= column == YES
        any_no |= column == NO
    status = np.full(codes.shape[0], TEAM_UNKNOWN, dtype=np.int8)
    status[in_team == NO] = NO_TEAM
    status[(in_team == YES) & all_yes] = REAL_TEAM
    status[(in_team == YES) & any_no] = PSEUDO_TEAM
    return status


def real_team_flags(scheme: ScoringScheme, codes: np.ndarray) -> np.ndarray | None:
    """1.0 in a real team, 0.0 in a pseudo team or none, NaN unknown (None without the
    team questions). The unit's real-team share is the mean of these."""
    status = team_status(scheme, codes)
    if status is None:
        return None
    return np.where(status == TEAM_UNKNOWN, np.nan, (status == REAL_TEAM).astype(np.float64))
