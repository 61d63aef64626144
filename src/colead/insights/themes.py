"""Comment themes and sentiment. Plain Python: numpy and scikit-learn,
no Django, so analysts can call it from a notebook and the pages use the same code.

Three steps::

    from colead.insights import themes

    fitted = themes.fit_themes(comments, seed=0)          # once per wave
    fitted.themes                                          # (Theme, ...): label, terms
    summary = themes.theme_summary(
        fitted, tree=tree, comment_threshold=wave.comment_threshold, units=[ward.id]
    )
    summary.get(ward.id)                                   # GroupThemes (all comments)
    summary.get(ward.id, "psychological_safety")           # one dimension's comments
    themes.sentiment("Not helpful at all")                 # Sentiment(score=-0.39, ...)

``comments`` are records (mappings or objects) with ``text`` (already masked when it was
stored: see ``colead.surveys.masking``), ``unit`` (the reporting unit id), ``item`` (the
comment item's code) and optionally ``dimension`` and ``respondent`` (any key shared by the
comments of one response, such as the Response id; needed when a wave has more than one
comment item, so that the threshold counts people, not comments).

**Themes** are fitted once per wave on all its comments: TF-IDF of words and word pairs
(English stop words and survey filler words removed; masking placeholders removed before
anything else) factorised by non-negative matrix factorisation (NMF). Each theme is labelled
by its top terms; each comment gets its dominant theme, or none when no theme reaches
``weight_floor``. The result depends only on the comments, their order and the seed.

**Disclosure.** Nothing about a group's comments is shown unless at least
``comment_threshold`` people commented in it (docs/privacy.md, "Comments": nine
comment-writers are too few, k_c = 10), and no group's comments can be worked out by subtracting other groups'
(``colead.privacy.disclosure``: the unit hierarchy, and dimensions as a breakdown of each
unit). Hidden groups get no counts, no themes and no samples, only the reason.
Sample comments are shown as stored, never unmasked; any e-mail address or phone number that
got through is masked again before a sample is returned.
"""

from __future__ import annotations

import math
import re
import warnings
import zlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import NamedTuple

import numpy as np

from colead.lib import memory
from colead.privacy import disclosure
from colead.surveys.masking import EMAIL_RE, NAME_MASK, PHONE_RE

__all__ = [
    "FILLER_WORDS",
    "MIN_COMMENTS",
    "PLACEHOLDERS",
    "FittedThemes",
    "GroupThemes",
    "Sentiment",
    "Theme",
    "ThemeCount",
    "ThemeSummary",
    "ThemedComment",
    "choose_n_themes",
    "fit_themes",
    "lexicon",
    "sentiment",
    "sentiment_label",
    "strip_placeholders",
    "theme_summary",
]

# -- masking placeholders --------------------------------------------------------------------

PLACEHOLDERS = (
    NAME_MASK,
    "[email removed]",
    "[phone number removed]",
    "[number removed]",
)
"""What ``colead.surveys.masking`` puts in place of personal details (tests check the list
against the masker). Stripped before themes and sentiment are computed, kept in samples."""

# any short bracketed text counts as a placeholder, so that a new kind of mask is never
# turned into theme terms
_PLACEHOLDER_RE = re.compile(
    "|".join(re.escape(p) for p in PLACEHOLDERS) + r"|\[[^\[\]\n]{1,40}\]", re.IGNORECASE
)


def strip_placeholders(text: str) -> str:
    """The text with masking placeholders ("[name removed]"...) replaced by a full stop, so
    they never become terms and no word pair spans one."""
    return _PLACEHOLDER_RE.sub(" . ", text or "")


def _mask_again(text: str) -> str:
    """Defence in depth for samples: mask any e-mail address or phone number left in a
    stored comment (names need the organisation's staff list, which stored text already had
    applied). Never unmasks."""
    text = EMAIL_RE.sub("[email removed]", text)
    return PHONE_RE.sub("[phone number removed]", text)


# -- sentiment -----------------------------------------------------------------------------

LEXICON_FILE = "sentiment_lexicon.txt"
NEGATORS = frozenset(
    "not no never nobody nothing none neither nor without hardly barely cannot cant "
    "dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt havent hasnt "
    "hadnt aint".split()
)
INTENSIFIERS = {
    "very": 1.5,
    "really": 1.5,
    "so": 1.5,
    "extremely": 1.75,
    "incredibly": 1.75,
    "hugely": 1.75,
    "totally": 1.5,
    "completely": 1.5,
    "absolutely": 1.5,
    "particularly": 1.25,
    "slightly": 0.5,
    "somewhat": 0.5,
    "fairly": 0.75,
    "quite": 0.9,
}
NEGATION_SCOPE = 3  # words after a negator that it turns round
NEGATION_FACTOR = -0.75  # "not good" is less negative than "bad"
BUT_BEFORE, BUT_AFTER = 0.5, 1.5  # "nice people but far too busy": the second part counts more
SENTIMENT_ALPHA = 15.0  # score = s / sqrt(s² + alpha): about ±0.5 for s = ±4
NEUTRAL_BAND = 0.05  # |score| below this is neutral

_SENTIMENT_TOKEN_RE = re.compile(r"[a-z]+(?:['-][a-z]+)*|[.,;:!?]")
_CLAUSE_END = frozenset(".,;:!?")


class Sentiment(NamedTuple):
    score: float  # -1 .. 1
    label: str  # "positive", "neutral" or "negative"


@memory.cached(maxsize=1)
def lexicon() -> dict[str, float]:
    """The word list shipped in ``colead/insights/data/sentiment_lexicon.txt``:
    {word: weight from -3 to 3}."""
    text = resources.files("colead.insights").joinpath("data", LEXICON_FILE).read_text("utf-8")
    words: dict[str, float] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"{LEXICON_FILE} line {number}: expected 'word weight'")
        weight = float(parts[1])
        if not -3 <= weight <= 3:
            raise ValueError(f"{LEXICON_FILE} line {number}: weight must be from -3 to 3")
        word = parts[0].lower()
        if word in words:
            raise ValueError(f"{LEXICON_FILE} line {number}: {word!r} is listed twice")
        words[word] = weight
    return words


def sentiment_label(score: float) -> str:
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def _sentiment_tokens(text: str) -> list[str]:
    text = strip_placeholders(text).lower().replace("’", "'").replace("‘", "'")
    tokens = _SENTIMENT_TOKEN_RE.findall(text)
    # "don't" -> "dont", so the negators are one list
    return [t.replace("n't", "nt") if t.endswith("n't") else t for t in tokens]


def sentiment(text: str) -> Sentiment:
    """A transparent lexicon score of one comment in [-1, 1], and its label.

    Each word in the lexicon adds its weight; an intensifier just before it ("very",
    "slightly") multiplies it; a negator ("not", "no", "never", "don't"...) up to three words
    before it in the same clause turns it round at 0.75 of its weight ("not helpful" scores
    -1.5, "not bad" +1.5); in a sentence with "but" the words before it count half and the words
    after it one and a half times. The sum ``s`` is squashed to ``s / sqrt(s² + 15)``; scores
    from -0.05 to 0.05 are neutral.
    """
    words = lexicon()
    total = 0.0
    sentence = 0.0
    factor = 1.0
    negate_left = 0
    previous = None
    for token in _sentiment_tokens(text):
        if token in _CLAUSE_END:
            negate_left = 0
            if token != ",":
                total += sentence
                sentence, factor = 0.0, 1.0
            previous = None
            continue
        if token == "but":
            sentence *= BUT_BEFORE
            factor = BUT_AFTER
            negate_left = 0
            previous = token
            continue
        if token in NEGATORS:
            negate_left = NEGATION_SCOPE
            previous = token
            continue
        weight = words.get(token)
        if weight is not None:
            if previous in INTENSIFIERS:
                weight *= INTENSIFIERS[previous]
            if negate_left > 0:
                weight *= NEGATION_FACTOR
            sentence += weight * factor
        if negate_left > 0:
            negate_left -= 1
        previous = token
    total += sentence
    score = total / math.sqrt(total * total + SENTIMENT_ALPHA) if total else 0.0
    score = max(-1.0, min(1.0, score))
    return Sentiment(round(score, 4), sentiment_label(score))


# -- themes ---------------------------------------------------------------------------------

FILLER_WORDS = frozenset(
    """
    nhs trust hospital hospitals organisation work working worked works job jobs staff
    team teams ward wards department unit service services colleague colleagues people
    feel feels felt feeling think thought believe know really just lot lots like get gets
    getting got make makes making made need needs needed thing things way time times also
    would could should shall might must may will able always sometimes often ever every
    everyone everybody someone something anything day days week weeks year years month
    months bit quite rather much many ok okay yes etc eg ie im ive dont doesnt didnt cant
    wont isnt arent theres thats whats lets us use used place survey question questions
    answer comment comments say said tell told want wanted going go goes come comes
    removed
    """.split()
)
"""Words so common in staff-survey comments that they say nothing about a theme (added to
scikit-learn's English stop words). "removed" is here in case a placeholder were ever
written without its brackets."""

MIN_COMMENTS = 10
"""Fewer comments with words left after stop words: no themes are fitted."""
MIN_THEMES, MAX_THEMES = 3, 10
TOP_TERMS = 10
LABEL_TERMS = 3
WEIGHT_FLOOR = 0.1
"""A comment whose strongest theme weight is below this has no dominant theme."""

_THEME_TOKEN = r"(?u)\b[^\W\d_][^\W\d_'’]+\b"


@dataclass(frozen=True)
class Theme:
    id: int  # 0 .. n_themes - 1
    label: str  # "staffing · rota · shifts"
    terms: tuple[str, ...]  # top terms, strongest first
    weights: tuple[float, ...]  # their weights in the theme, scaled so the first is 1
    comments: int  # comments whose dominant theme this is


@dataclass(frozen=True)
class ThemedComment:
    text: str  # as given (masked when stored)
    unit: Hashable
    item: str
    dimension: str | None
    respondent: Hashable | None
    theme: int | None  # the dominant theme's id, None below the weight floor
    weight: float  # the dominant theme's weight (0 when none)
    sentiment: float
    sentiment_label: str


@dataclass(frozen=True)
class FittedThemes:
    """One wave's themes and its comments, each with its theme and sentiment."""

    themes: tuple[Theme, ...]
    comments: tuple[ThemedComment, ...]
    seed: int = 0
    reason: str | None = None  # why there are no themes, when there are none
    vocabulary_size: int = 0

    @property
    def n_themes(self) -> int:
        return len(self.themes)

    def theme(self, theme_id: int) -> Theme:
        return self.themes[theme_id]

    def as_dict(self) -> dict:
        """JSON-ready (unit and respondent ids must be JSON values themselves)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> FittedThemes:
        return cls(
            themes=tuple(
                Theme(
                    id=t["id"],
                    label=t["label"],
                    terms=tuple(t["terms"]),
                    weights=tuple(t["weights"]),
                    comments=t["comments"],
                )
                for t in data["themes"]
            ),
            comments=tuple(ThemedComment(**c) for c in data["comments"]),
            seed=data.get("seed", 0),
            reason=data.get("reason"),
            vocabulary_size=data.get("vocabulary_size", 0),
        )


def _field(record, name: str, default=None):
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def choose_n_themes(n_comments: int, n_terms: int) -> int:
    """Themes for a corpus: about √(comments / 5), at least 3 and at most 10, never more
    than a third of the terms or a fifth of the comments; 0 when that leaves fewer than 2."""
    if n_comments < MIN_COMMENTS:
        return 0
    k = round(math.sqrt(n_comments / 5))
    k = max(MIN_THEMES, min(MAX_THEMES, k))
    k = min(k, n_terms // 3, n_comments // 5)
    return k if k >= 2 else 0


def _label(terms: Sequence[str]) -> str:
    """The first top terms that do not repeat a word of an earlier one ("short staffed"
    then not "staffed")."""
    chosen: list[str] = []
    used: set[str] = set()
    for term in terms:
        words = set(term.split())
        if words & used:
            continue
        chosen.append(term)
        used |= words
        if len(chosen) == LABEL_TERMS:
            break
    return " · ".join(chosen)


def fit_themes(
    comments: Iterable,
    *,
    n_themes: int | None = None,
    seed: int = 0,
    weight_floor: float = WEIGHT_FLOOR,
    max_terms: int = 20_000,
) -> FittedThemes:
    """Fit themes to one wave's comments (TF-IDF of words and word pairs, then NMF).

    ``n_themes`` defaults to :func:`choose_n_themes` for the corpus. Returns a
    :class:`FittedThemes` with every comment (in the order given), its dominant theme (or
    None) and its sentiment; with no themes and a ``reason`` when the corpus is too small.
    """
    records = []
    for record in comments:
        text = _field(record, "text")
        records.append(
            (
                "" if text is None else str(text),
                _field(record, "unit"),
                _field(record, "item"),
                _field(record, "dimension"),
                _field(record, "respondent"),
            )
        )
    moods = [sentiment(r[0]) for r in records]
    texts = [strip_placeholders(r[0]) for r in records]

    themes: tuple[Theme, ...] = ()
    dominant = np.full(len(records), -1, dtype=np.int64)
    strength = np.zeros(len(records))
    reason = None
    vocabulary_size = 0
    matrix, terms = _tfidf(texts, max_terms)
    if matrix is None:
        reason = f"Fewer than {MIN_COMMENTS} comments with words to group"
    else:
        vocabulary_size = len(terms)
        used = int((matrix.getnnz(axis=1) > 0).sum())
        k = choose_n_themes(used, len(terms)) if n_themes is None else int(n_themes)
        if n_themes is not None and n_themes < 1:
            raise ValueError("n_themes must be at least 1")
        if used < MIN_COMMENTS or k < 1:
            reason = f"Fewer than {MIN_COMMENTS} comments with words to group"
        elif k > min(used, len(terms)):
            reason = "Too few comments or words for that many themes"
        else:
            themes, dominant, strength = _nmf(matrix, terms, k, seed, weight_floor)
    themed = tuple(
        ThemedComment(
            text=r[0],
            unit=r[1],
            item=r[2],
            dimension=r[3],
            respondent=r[4],
            theme=None if dominant[i] < 0 else int(dominant[i]),
            weight=round(float(strength[i]), 6),
            sentiment=moods[i].score,
            sentiment_label=moods[i].label,
        )
        for i, r in enumerate(records)
    )
    return FittedThemes(themes, themed, seed, reason, vocabulary_size)


def _theme_text(text: str) -> str:
    """Lower case, apostrophes inside words dropped ("don't" -> "dont", "manager's" ->
    "managers"), so contractions meet the stop words."""
    return _APOSTROPHE_RE.sub(r"\1\2", text.lower())


_APOSTROPHE_RE = re.compile(r"(\w)['’](\w)")


def _tfidf(texts: list[str], max_terms: int):
    """(documents × terms sparse TF-IDF matrix, terms), or (None, None) when the corpus has
    too few comments or words."""
    nonempty = sum(1 for t in texts if t.strip())
    if nonempty < MIN_COMMENTS:
        return None, None
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    stop = sorted(ENGLISH_STOP_WORDS | FILLER_WORDS)
    vectorizer = TfidfVectorizer(
        token_pattern=_THEME_TOKEN,
        preprocessor=_theme_text,
        stop_words=stop,
        ngram_range=(1, 2),
        min_df=2 if nonempty >= 20 else 1,
        max_df=0.9 if nonempty >= 50 else 1.0,
        max_features=max_terms,
        sublinear_tf=True,
        dtype=np.float64,
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing left after stop words and min_df
        return None, None
    terms = vectorizer.get_feature_names_out()
    if len(terms) < 2:
        return None, None
    return matrix, terms


def _nmf(matrix, terms, k: int, seed: int, weight_floor: float):
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500, tol=1e-4)
    # A corpus the model fits exactly makes scikit-learn take the square root of a rounding
    # error below zero; neither that nor stopping at max_iter matters here.
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(matrix)
    H = model.components_
    # Scale each theme's term vector to unit length (and its weights in W to match), so a
    # comment's weights are comparable between themes and with the floor.
    norms = np.linalg.norm(H, axis=1)
    norms[norms == 0] = 1.0
    H = H / norms[:, None]
    W = W * norms[None, :]
    strength = W.max(axis=1) if W.size else np.zeros(matrix.shape[0])
    dominant = np.where(strength >= weight_floor, W.argmax(axis=1), -1)
    sizes = np.bincount(dominant[dominant >= 0], minlength=k)
    themes = []
    for j in range(k):
        top = np.argsort(-H[j], kind="stable")[:TOP_TERMS]
        top = [t for t in top if H[j, t] > 0]
        first = H[j, top[0]] if top else 1.0
        names = tuple(str(terms[t]) for t in top)
        themes.append(
            Theme(
                id=j,
                label=_label(names),
                terms=names,
                weights=tuple(round(float(H[j, t] / first), 4) for t in top),
                comments=int(sizes[j]),
            )
        )
    return tuple(themes), dominant, np.where(dominant >= 0, strength, 0.0)


# -- summaries per unit and dimension -----------------------------------------------------------

ALL = None  # the dimension key of a unit's row covering all its comments


@dataclass(frozen=True)
class ThemeCount:
    theme: int
    label: str
    terms: tuple[str, ...]
    count: int  # comments in the group whose dominant theme this is
    share: float  # of the group's comments (0..1)
    sentiment: float  # mean sentiment score of those comments


@dataclass(frozen=True)
class GroupThemes:
    """One unit's comments (``dimension`` None) or one dimension's comments in a unit.

    When ``shown`` is False everything but the identity, ``status`` and ``reason`` is empty
    (None or ()).
    """

    unit: Hashable
    dimension: str | None
    shown: bool
    status: str | None  # None when shown, else "primary" or "complementary"
    reason: str | None
    comments: int | None = None  # comments in the group (the unit's whole subtree)
    commenters: int | None = None  # people who commented
    themes: tuple[ThemeCount, ...] = ()  # most frequent first; themes with no comment left out
    unthemed: int | None = None  # comments with no dominant theme
    sentiment: float | None = None  # mean sentiment score
    positive: int | None = None
    neutral: int | None = None
    negative: int | None = None
    samples: tuple[dict, ...] = field(default=())  # {"text", "item", "theme", "sentiment"}

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ThemeSummary:
    """The rows of :func:`theme_summary`: per unit, all its comments then each dimension."""

    groups: tuple[GroupThemes, ...]
    comment_threshold: int
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        for group in self.groups:
            self._index.setdefault(group.unit, {})[group.dimension] = group

    def get(self, unit: Hashable, dimension: str | None = ALL) -> GroupThemes:
        """One row (KeyError when the unit or dimension was not summarised)."""
        try:
            return self._index[unit][dimension]
        except KeyError:
            raise KeyError((unit, dimension)) from None

    def for_unit(self, unit: Hashable) -> tuple[GroupThemes, ...]:
        return tuple(self._index.get(unit, {}).values())

    def as_dicts(self) -> list[dict]:
        return [g.as_dict() for g in self.groups]


def _reason(status: disclosure.Status, k: int) -> str:
    if status is disclosure.Status.PRIMARY:
        return f"Fewer than {k} people commented"
    return "Hidden so that a smaller group's comments cannot be worked out"


def _stable_key(*parts) -> int:
    return zlib.crc32(repr(parts).encode("utf-8"))


def theme_summary(
    fitted: FittedThemes,
    *,
    tree,
    comment_threshold: int,
    units: Iterable[Hashable] | None = None,
    samples: int = 3,
    seed: int = 0,
    population=None,
) -> ThemeSummary:
    """Themes, sentiment and sample comments per unit and per dimension, with disclosure
    control.

    ``tree`` is a ``colead.insights.engine.UnitTree`` (or a ``disclosure.Hierarchy``) holding
    every comment's reporting unit. A comment counts in its reporting unit and every unit
    above it. For each unit in ``units`` (default: every unit, in tree order) there is one
    row for all its comments (``dimension`` None), then one per dimension found among the
    comments, in order of first appearance. ``population`` (people invited per reporting
    unit, unit id -> count) makes a group with people and no commenters a small group too,
    so that "nobody here commented" is never read off by subtraction.

    A group is shown only when at least ``comment_threshold`` people commented in it and
    disclosure control allows it: ``disclosure.protect_comments`` on commenters across the
    hierarchy, and dimensions protected as a breakdown of each unit (counting each person once
    per dimension), so that no group below the threshold can be worked out by subtraction.
    Hidden rows carry only the reason. At most ``samples`` sample comments per shown group,
    chosen deterministically (``seed``): one from each of the group's most frequent themes in
    turn, then from the rest.
    """
    k = int(comment_threshold)
    if k < 1:
        raise ValueError("comment_threshold must be at least 1")
    hierarchy = disclosure.Hierarchy.of(tree)
    comments = fitted.comments
    _check_respondents(comments)
    dimensions = list(dict.fromkeys(c.dimension for c in comments if c.dimension is not None))
    dim_index = {d: i for i, d in enumerate(dimensions)}
    positions = np.fromiter(
        (hierarchy.position(c.unit) for c in comments), dtype=np.int64, count=len(comments)
    )
    direct_writers, direct_pairs = _direct_commenters(
        hierarchy.size, comments, positions, dimensions, dim_index
    )
    writers = _roll_up(hierarchy, direct_writers)
    pair_counts = _roll_up(hierarchy, direct_pairs)
    if population is not None:
        population = hierarchy.subtree_totals(population)
    people = disclosure.protect_comments(hierarchy, writers, k, population=population)
    by_dimension = None
    if dimensions:
        by_dimension = disclosure.protect(
            hierarchy,
            pair_counts.sum(axis=1),
            k,
            {"dimension": disclosure.Breakdown(dimensions, pair_counts[:, : len(dimensions)])},
            population=population,
        )
    members = _subtree_members(hierarchy, positions)

    wanted = (
        list(hierarchy.ids)
        if units is None
        else [hierarchy.ids[hierarchy.position(u)] for u in units]
    )
    groups: list[GroupThemes] = []
    theme_of = np.array([-1 if c.theme is None else c.theme for c in comments], dtype=np.int64)
    score_of = np.array([c.sentiment for c in comments], dtype=np.float64)
    for unit in wanted:
        u = hierarchy.position(unit)
        rows = _unit_rows(
            unit, members[u], comments, people, by_dimension, dimensions,
            lambda d, u=u: pair_counts[u, dim_index[d]] < k,
        )  # fmt: skip
        for dimension, row_status, idx in rows:
            if row_status is not disclosure.Status.VISIBLE:
                groups.append(_hidden_group(unit, dimension, row_status, k))
                continue
            n_people = (
                int(writers[u]) if dimension is ALL else int(pair_counts[u, dim_index[dimension]])
            )
            groups.append(
                _group(
                    fitted, unit, dimension, idx, theme_of, score_of, fitted.n_themes, n_people,
                    samples, seed,
                )
            )  # fmt: skip
    return ThemeSummary(tuple(groups), k)


def _check_respondents(comments) -> None:
    """The threshold counts people: with several items, a comment must name its writer."""
    items = {c.item for c in comments}
    if len(items) > 1 and any(c.respondent is None for c in comments):
        raise ValueError(
            "comments from more than one item need a respondent key (e.g. the response id), "
            "so that the threshold counts people rather than comments"
        )


def _direct_commenters(
    size: int, comments, positions: np.ndarray, dimensions: list, dim_index: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Commenters per reporting unit, and per (reporting unit, dimension; last column: none),
    each person once."""
    writer_of = [
        ("comment", i) if c.respondent is None else ("respondent", c.respondent)
        for i, c in enumerate(comments)
    ]
    writer_unit: dict = {}
    for i, w in enumerate(writer_of):
        if writer_unit.setdefault(w, positions[i]) != positions[i]:
            raise ValueError(f"respondent {w[1]!r} has comments in two reporting units")
    direct_writers = np.zeros(size, dtype=np.int64)
    for pos in writer_unit.values():
        direct_writers[pos] += 1
    pairs = {(w, c.dimension) for w, c in zip(writer_of, comments, strict=True)}
    direct_pairs = np.zeros((size, len(dimensions) + 1), dtype=np.int64)
    for w, d in pairs:
        col = len(dimensions) if d is None else dim_index[d]
        direct_pairs[writer_unit[w], col] += 1
    return direct_writers, direct_pairs


def _subtree_members(hierarchy: disclosure.Hierarchy, positions: np.ndarray) -> list[list[int]]:
    """The comment indexes of every unit's subtree (a comment counts in every unit above)."""
    members: list[list[int]] = [[] for _ in range(hierarchy.size)]
    for i, pos in enumerate(positions.tolist()):
        up = pos
        while up >= 0:
            members[up].append(i)
            up = int(hierarchy.parent[up])
    return members


def _unit_rows(unit, members, comments, people, by_dimension, dimensions, is_small) -> list:
    """(dimension, status, comment indexes) for a unit's row over all its comments, then one
    per dimension. ``is_small(d)``: does the unit have fewer than k commenters in ``d``?"""
    status = people.unit_status(unit)
    if status is disclosure.Status.VISIBLE and by_dimension is not None:
        status = by_dimension.unit_status(unit)
    shown_unit = status is disclosure.Status.VISIBLE
    rows = [(ALL, status, members)]
    for d in dimensions:
        if not shown_unit:
            d_status = status
        else:
            d_status = by_dimension.category_status(unit, "dimension", d)
            if d_status is disclosure.Status.REFUSED or not by_dimension.breakdown_allowed(
                unit, "dimension"
            ):
                d_status = (
                    disclosure.Status.PRIMARY if is_small(d) else disclosure.Status.COMPLEMENTARY
                )
        rows.append((d, d_status, [i for i in members if comments[i].dimension == d]))
    return rows


def _hidden_group(unit, dimension, status: disclosure.Status, k: int) -> GroupThemes:
    return GroupThemes(
        unit=unit,
        dimension=dimension,
        shown=False,
        status=str(status),
        reason=_reason(status, k),
    )


def _roll_up(hierarchy: disclosure.Hierarchy, direct: np.ndarray) -> np.ndarray:
    """Subtree totals from per-unit counts (rows = units by position)."""
    total = direct.copy()
    for depth in range(int(hierarchy.depth.max(initial=0)), 0, -1):
        at = np.flatnonzero(hierarchy.depth == depth)
        np.add.at(total, hierarchy.parent[at], total[at])
    return total


def _group(
    fitted, unit, dimension, idx, theme_of, score_of, n_themes, n_people, samples, seed
) -> GroupThemes:
    idx = np.asarray(sorted(idx), dtype=np.int64)
    n = int(idx.size)
    group_themes = theme_of[idx]
    scores = score_of[idx]
    counts = np.bincount(group_themes[group_themes >= 0], minlength=n_themes)
    ranked = sorted((j for j in range(n_themes) if counts[j]), key=lambda j: (-counts[j], j))
    theme_counts = tuple(
        ThemeCount(
            theme=j,
            label=fitted.themes[j].label,
            terms=fitted.themes[j].terms,
            count=int(counts[j]),
            share=round(int(counts[j]) / n, 4),
            sentiment=round(float(scores[group_themes == j].mean()), 4),
        )
        for j in ranked
    )
    labels = [fitted.comments[i].sentiment_label for i in idx.tolist()]
    chosen = _samples(fitted, idx, group_themes, ranked, samples, seed, unit, dimension)
    return GroupThemes(
        unit=unit,
        dimension=dimension,
        shown=True,
        status=None,
        reason=None,
        comments=n,
        commenters=n_people,
        themes=theme_counts,
        unthemed=int((group_themes < 0).sum()),
        sentiment=round(float(scores.mean()), 4) if n else None,
        positive=labels.count("positive"),
        neutral=labels.count("neutral"),
        negative=labels.count("negative"),
        samples=tuple(
            {
                "text": _mask_again(fitted.comments[i].text),
                "item": fitted.comments[i].item,
                "theme": fitted.comments[i].theme,
                "sentiment": fitted.comments[i].sentiment_label,
            }
            for i in chosen
        ),
    )


def _samples(fitted, idx, group_themes, ranked, samples, seed, unit, dimension) -> list[int]:
    """Up to ``samples`` comment indexes: a shuffled pick from each of the group's themes in
    order of frequency, round and round, then from comments without a theme. Deterministic
    for the seed, the group and the comments."""
    if samples <= 0 or idx.size == 0:
        return []
    rng = np.random.default_rng([seed & 0xFFFFFFFF, _stable_key(unit, dimension)])
    usable = np.array([bool(fitted.comments[i].text.strip()) for i in idx.tolist()], dtype=bool)
    pools = []
    for j in [*ranked, -1]:
        pool = idx[(group_themes == j) & usable]
        pools.append(list(rng.permutation(pool)))
    chosen: list[int] = []
    while len(chosen) < samples and any(pools):
        for pool in pools:
            if pool and len(chosen) < samples:
                chosen.append(int(pool.pop(0)))
    return chosen
