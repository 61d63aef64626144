"""Survey instruments as data: parse and validate instrument YAML files.

No Django imports: analysts and the CLI use this directly. ``load_instrument`` returns an
``Instrument`` or raises ``InstrumentInvalid`` listing every problem with file, line, key and
what is wrong, in the order of the file. The shape is declared once as pydantic models
(``InstrumentSpec`` and the specs of its entries); the rules between entries are small named
functions below them.

Schema (see docs/instruments.md):

    code: culture-pulse            # lowercase letters, digits, hyphens
    version: 1                     # a positive whole number
    title: Culture pulse
    description: ...               # optional
    scales:
      agree5: {points: 5, labels: [...], dont_know: true, positive: [4, 5]}
    dimensions:
      - {code: vision_values, title: Vision and values, min_answered: 2}
      - {code: engagement, title: Staff engagement, subdimensions: [motivation, involvement]}
    sections:                      # optional: pages of the form, in order
      - {code: about, title: About your work}
    items:
      - {code: vv1, text: "...", scale: agree5, dimension: vision_values, reverse: false}
      - {code: team, text: "...", type: yes_no}
      - {code: obj, text: "...", type: yes_no, show_if: {item: team, equals: "yes"}}
      - {code: grp, text: "...", type: single_choice, options: [{code: a, label: A}]}
      - {code: tenure, text: "...", type: number, min: 0, max: 60}
      - {code: say, text: "...", type: free_text, max_length: 2000}
"""

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationError,
)

from colead.lib.errors import ColeadError
from colead.lib.text import describe_character, find_control_character

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
INSTRUMENT_CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,49}$")
ITEM_TYPES = ("scale", "yes_no", "single_choice", "multiple_choice", "number", "free_text")
DEMOGRAPHIC_FIELDS = (
    "staff_group",
    "band",
    "length_of_service",
    "ethnicity",
    "sex",
    "disability",
    "age_band",
)
YES_NO_OPTIONS = ("yes", "no")
MAX_TEXT_LENGTH = 10_000
# Bounds on an instrument file, checked before it is built (docs/instruments.md): the
# largest built-in is 5 KB with 47 items, and the longest national questionnaire about 120.
# A 10 MB file of 200,000 items took 65 s and 1.3 GB to validate; deep nesting crashed.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20  # of lists and mappings; the format itself needs 5
MAX_ITEMS = 500  # also the most scales, dimensions or sections
MAX_OPTIONS = 200  # per item


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}, {self.key}: {self.message}"


class InstrumentInvalid(ColeadError):
    """An instrument file with problems, each naming its place and the fix."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Scale:
    code: str
    points: int
    labels: tuple[str, ...]
    dont_know: bool = False
    positive: tuple[int, ...] = ()  # option numbers counted as positive


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class ShowIf:
    item: str
    values: tuple[str, ...]  # shown when the answer to `item` is one of these


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    type: str
    section: str
    hint: str = ""
    scale: Scale | None = None
    options: tuple[Option, ...] = ()
    dimensions: tuple[str, ...] = ()
    reverse: bool = False
    required: bool = False
    show_if: ShowIf | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    demographic: str | None = None
    dont_know: bool = False

    @property
    def points(self) -> int | None:
        if self.type == "scale":
            return self.scale.points
        if self.type == "yes_no":
            return 2
        return None

    def option_codes(self) -> tuple[str, ...]:
        if self.type == "scale":
            return tuple(str(i) for i in range(1, self.scale.points + 1))
        if self.type == "yes_no":
            return YES_NO_OPTIONS
        return tuple(option.code for option in self.options)

    def option_labels(self) -> list[tuple[str, str]]:
        if self.type == "scale":
            return [(str(i), label) for i, label in enumerate(self.scale.labels, start=1)]
        if self.type == "yes_no":
            return [("yes", "Yes"), ("no", "No")]
        return [(option.code, option.label) for option in self.options]


@dataclass(frozen=True)
class Dimension:
    code: str
    title: str
    min_answered: int | None = None
    subdimensions: tuple[str, ...] = ()
    positive_threshold: int | None = None


@dataclass(frozen=True)
class Section:
    code: str
    title: str


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    title: str
    description: str
    scales: dict[str, Scale]
    dimensions: dict[str, Dimension]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    source: dict = field(default_factory=dict, compare=False, repr=False)

    def item(self, code: str) -> Item:
        return next(item for item in self.items if item.code == code)

    def items_of(self, dimension_code: str) -> list[Item]:
        return [item for item in self.items if dimension_code in item.dimensions]

    def items_in(self, section_code: str) -> list[Item]:
        return [item for item in self.items if item.section == section_code]

    @property
    def about_the_respondent(self) -> bool:
        """Whether it only asks about the respondent ("About you": every item is a
        demographic), which a new wave offers last: people answer about their work first."""
        return bool(self.items) and all(item.demographic for item in self.items)


# -- YAML with line numbers ------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping and of every key in it."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    lines = {"": node.start_mark.line + 1}
    for key_node, _value in node.value:
        lines[str(key_node.value)] = key_node.start_mark.line + 1
    return _Located(mapping, lines)


class _Located(dict):
    def __init__(self, mapping, lines):
        super().__init__(mapping)
        self.lines = lines

    def line(self, key: str = "") -> int | None:
        return self.lines.get(key, self.lines.get(""))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line(node, key="") -> int | None:
    return node.line(key) if isinstance(node, _Located) else None


# -- validation -----------------------------------------------------------------------


class _Collector:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, node, key: str, message: str, field_name: str = ""):
        self.problems.append(Problem(self.filename, _line(node, field_name), key, message))


def load_instrument(path: str | Path) -> Instrument:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # refused before reading it
            raise InstrumentInvalid([_too_large(path.name, size)])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentInvalid([Problem(str(path), None, "file", "does not exist")]) from None
    except UnicodeDecodeError:
        raise InstrumentInvalid(
            [Problem(str(path), None, "file", "is not UTF-8 text; save it as UTF-8")]
        ) from None
    except OSError as error:  # a folder, no permission
        raise InstrumentInvalid(
            [Problem(str(path), None, "file", f"cannot be read ({error.strerror})")]
        ) from None
    return parse_instrument(text, filename=path.name)


def _too_large(filename: str, size: int) -> Problem:
    return Problem(
        filename,
        None,
        "file",
        f"is {size:,} bytes; an instrument can be at most {MAX_FILE_BYTES:,} bytes (1 MB). "
        "Split it into several instruments, each asked in the wave",
    )


def _too_deep(filename: str, line: int | None) -> Problem:
    return Problem(
        filename,
        line,
        "yaml",
        f"nests lists and mappings more than {MAX_DEPTH} deep; an instrument needs at most 5 "
        "(see docs/instruments.md)",
    )


def _yaml_problem(filename: str, error: yaml.YAMLError) -> Problem:
    if isinstance(error, yaml.MarkedYAMLError):
        line = error.problem_mark.line + 1 if error.problem_mark else None
        if "nesting depth" in str(error.problem):  # libyaml stops very deep nesting itself
            return _too_deep(filename, line)
        return Problem(filename, line, "yaml", f"is not valid YAML: {error.problem}")
    if isinstance(error, yaml.reader.ReaderError):  # a control character in the file itself
        return Problem(
            filename,
            None,
            "file",
            f"holds the invisible character {describe_character(chr(error.character))} "
            f"at character {error.position + 1:,}; delete it",
        )
    return Problem(filename, None, "yaml", f"is not valid YAML: {error}")


def _check_shape(text: str, filename: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, lists longer than MAX_ITEMS and YAML aliases,
    reading the file as a stream of events (libyaml where installed: no recursion, nothing
    built), before the slower loader builds it recursively."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth = 0
    entries: list[int] = []  # per open list or mapping: how many nodes it holds so far
    starts: list[int] = []  # and the line it starts on
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.NodeEvent) and entries:
            entries[-1] += 1
            if entries[-1] > 2 * MAX_ITEMS:  # a mapping holds a key and a value per entry
                raise InstrumentInvalid(
                    [
                        Problem(
                            filename,
                            starts[-1],
                            "yaml",
                            f"holds a list or mapping of more than {MAX_ITEMS} entries; an "
                            f"instrument can have at most {MAX_ITEMS} items. Split it into "
                            "several instruments, each asked in the wave",
                        )
                    ]
                )
        if isinstance(event, yaml.CollectionStartEvent):
            entries.append(0)
            starts.append(event.start_mark.line + 1)
            depth += 1
            if depth > MAX_DEPTH:
                raise InstrumentInvalid([_too_deep(filename, event.start_mark.line + 1)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            entries.pop()
            starts.pop()
        elif isinstance(event, yaml.AliasEvent):
            raise InstrumentInvalid(
                [
                    Problem(
                        filename,
                        event.start_mark.line + 1,
                        "yaml",
                        f"uses the alias *{event.anchor}; write the value out in full "
                        "(YAML anchors and aliases are not accepted in instruments)",
                    )
                ]
            )


def _control_characters(node, key: str, parent, c: "_Collector") -> None:
    """A problem for each text holding a control character (the imports' one check)."""
    if isinstance(node, str):
        character = find_control_character(node)
        if character is not None:
            c.add(
                parent,
                key,
                f"contains the invisible character {describe_character(character)}; "
                "delete it (in YAML it is written as an escape such as \\x00 or \\e)",
                key.rsplit(".", 1)[-1],
            )
    elif isinstance(node, dict):
        for name, value in node.items():
            _control_characters(str(name), key or "file", node, c)
            _control_characters(value, f"{key}.{name}" if key else str(name), node, c)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _control_characters(value, f"{key}[{index}]", parent, c)


def _check_counts(data: dict, c: "_Collector") -> None:
    for name in ("items", "scales", "dimensions", "sections"):
        entries = data.get(name)
        if isinstance(entries, list | dict) and len(entries) > MAX_ITEMS:
            c.add(
                data,
                name,
                f"has {len(entries):,} entries; an instrument can have at most {MAX_ITEMS}. "
                "Split it into several instruments, each asked in the wave",
                name,
            )
    for index, spec in enumerate(data.get("items") or []):
        options = spec.get("options") if isinstance(spec, dict) else None
        if isinstance(options, list) and len(options) > MAX_OPTIONS:
            c.add(
                spec,
                f"items[{index}].options",
                f"has {len(options):,} options; an item can have at most {MAX_OPTIONS}",
                "options",
            )


def parse_instrument(text: str, *, filename: str = "instrument.yaml") -> Instrument:
    """Parse and validate an instrument's YAML, within the bounds above (every way an
    instrument comes in passes through here)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise InstrumentInvalid([_too_large(filename, size)])
    try:
        _check_shape(text, filename)
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise InstrumentInvalid([_yaml_problem(filename, error)]) from None
    if not isinstance(data, dict):
        raise InstrumentInvalid(
            [Problem(filename, None, "file", "must be a YAML mapping with code, title and items")]
        )
    bounds = _Collector(filename)
    _check_counts(data, bounds)
    _control_characters(data, "", data, bounds)
    if bounds.problems:
        raise InstrumentInvalid(bounds.problems)
    return _validate(data, _Collector(filename))


ITEM_KEYS = {
    "code",
    "text",
    "hint",
    "type",
    "scale",
    "options",
    "dimension",
    "dimensions",
    "reverse",
    "required",
    "show_if",
    "min",
    "max",
    "max_length",
    "demographic",
    "section",
    "dont_know",
}


# -- the declared shape ----------------------------------------------------------------
# Each field's type, bounds and pattern are declared below (pydantic, strict: "5" is not 5 and
# true is not 1); `Fix` says what to tell the author when the field is wrong, in the words of
# the YAML rather than pydantic's. The rules between fields and entries follow as small named
# functions. Fields typed Any are taken as written (text, true/false) as they always were:
# stored definitions validated before must still load.


@dataclass(frozen=True)
class Fix:
    message: str
    each: str | None = None  # for an entry of a list or mapping that is not right in itself
    key: str | None = None  # for a key of a mapping


Code = Annotated[str, StringConstraints(pattern=CODE_RE.pattern)]
NonBlank = Annotated[str, StringConstraints(pattern=r"\S")]
WholeFromOne = Annotated[int, Field(ge=1)]
# An empty value (blank, [], {}) in scales, dimensions or sections has always meant none.
NoneIfEmpty = BeforeValidator(lambda value: value or None)
CODE_FIX = Fix("is required: lowercase letters, digits and underscores")
REQUIRED = Fix("is required")
OPTION_FIX = (
    "must be a label, or a mapping with a text code and a label "
    '(put quotes round codes that look like numbers, e.g. "1_5")'
)
SHOW_IF_FIX = Fix(
    "must be a mapping like {item: CODE, equals: VALUE} or {item: CODE, in: [VALUES]}"
)


class _Spec(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    unknown_key: ClassVar[str] = "is not a known key"

    def problems(self) -> Iterator[tuple[str, str]]:
        """(field, message) for each rule between this entry's fields that it breaks."""
        return iter(())


class ScaleSpec(_Spec):
    unknown_key: ClassVar[str] = "is not a known scale key (points, labels, dont_know, positive)"
    points: Annotated[int, Field(ge=2, le=11), Fix("must be a whole number from 2 to 11")]
    labels: Annotated[list[NonBlank], Fix("must be a list of option labels")]
    dont_know: Any = False
    positive: Annotated[list[int] | None, Fix("must be a list of option numbers, like [4, 5]")] = (
        None
    )

    def problems(self):
        if len(self.labels) != self.points:
            yield (
                "labels",
                f"has {len(self.labels)} labels but points is {self.points}; give one label "
                "per point",
            )
        if self.positive is not None and not all(1 <= p <= self.points for p in self.positive):
            yield "positive", f"must list option numbers between 1 and {self.points}"

    def positive_options(self) -> tuple[int, ...]:
        if self.positive is not None:
            return tuple(self.positive)
        # Top two options of a 5-point scale by default, or the top third more generally.
        top = 2 if self.points == 5 else max(1, round(self.points / 3))
        return tuple(range(self.points - top + 1, self.points + 1))


class DimensionSpec(_Spec):
    unknown_key: ClassVar[str] = "is not a known dimension key"
    code: Annotated[Code, CODE_FIX]
    title: Annotated[NonBlank, REQUIRED]
    min_answered: Annotated[WholeFromOne | None, Fix("must be a whole number of 1 or more")] = None
    subdimensions: Annotated[list[str] | None, Fix("must be a list of dimension codes")] = None
    description: Any = None


class SectionSpec(_Spec):
    model_config = ConfigDict(extra="ignore")  # other keys were always passed over
    code: Annotated[Code, CODE_FIX]
    title: Annotated[NonBlank, REQUIRED]


class OptionSpec(_Spec):
    model_config = ConfigDict(extra="ignore")
    code: str
    label: str


class ShowIfSpec(_Spec):
    model_config = ConfigDict(extra="ignore")
    item: str
    equals: Any = None  # given or not: see model_fields_set
    in_: list | None = Field(None, alias="in")

    def values(self) -> list[str] | None:
        if "equals" in self.model_fields_set:
            values = [self.equals]
        elif self.in_ is not None:
            values = self.in_
        else:
            return None
        # YAML reads yes and no as true and false.
        return ["yes" if v is True else "no" if v is False else str(v) for v in values]


class _ItemSpec(_Spec):
    unknown_key: ClassVar[str] = (
        f"is not a known item key; use one of {', '.join(sorted(ITEM_KEYS))}"
    )
    code: Annotated[Code, CODE_FIX]
    text: Annotated[NonBlank, REQUIRED]
    type: Any = None  # chosen by _item_type, which says when it is wrong
    hint: Any = None
    scale: Any = None  # a scale of the instrument: _scale_is_known
    options: Any = None
    dimension: Annotated[str | list[str], Fix("must be a dimension code or a list of them")] = ()
    dimensions: Annotated[str | list[str], Fix("must be a dimension code or a list of them")] = ()
    reverse: Any = False
    required: Any = False
    show_if: Annotated[ShowIfSpec, SHOW_IF_FIX] = None
    min: Any = None
    max: Any = None
    max_length: Any = None
    demographic: Annotated[
        Literal[DEMOGRAPHIC_FIELDS] | None, Fix(f"must be one of {', '.join(DEMOGRAPHIC_FIELDS)}")
    ] = None
    section: Any = None
    dont_know: Any = False

    def dimension_field(self) -> str:
        return "dimension" if "dimension" in self.model_fields_set else "dimensions"

    def dimension_codes(self) -> list[str]:
        dims = self.dimensions if "dimensions" in self.model_fields_set else self.dimension
        return [dims] if isinstance(dims, str) else list(dims)


class ScaleItemSpec(_ItemSpec):
    pass


class YesNoItemSpec(_ItemSpec):
    pass


class ChoiceItemSpec(_ItemSpec):
    options: Annotated[
        list[str | OptionSpec],
        Field(min_length=2),
        Fix("must list at least two options", each=OPTION_FIX),
    ]

    def option_list(self) -> list[Option]:
        return [
            Option(re.sub(r"[^a-z0-9]+", "_", o.lower()).strip("_"), o)
            if isinstance(o, str)
            else Option(o.code, o.label.strip())
            for o in self.options
        ]

    def problems(self):
        seen = set()
        for index, option in enumerate(self.option_list()):
            if option.code in seen:
                yield f"options[{index}]", f"repeats option code {option.code!r}"
            seen.add(option.code)


class NumberItemSpec(_ItemSpec):
    min: Annotated[float | None, Fix("must be a number")] = None
    max: Annotated[float | None, Fix("must be a number")] = None

    def problems(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            yield "min", "is greater than max"


class FreeTextItemSpec(_ItemSpec):
    max_length: Annotated[
        Annotated[int, Field(ge=1, le=MAX_TEXT_LENGTH)] | None,
        Fix(f"must be a whole number from 1 to {MAX_TEXT_LENGTH}"),
    ] = None


ITEM_SPECS = {
    "scale": ScaleItemSpec,
    "yes_no": YesNoItemSpec,
    "single_choice": ChoiceItemSpec,
    "multiple_choice": ChoiceItemSpec,
    "number": NumberItemSpec,
    "free_text": FreeTextItemSpec,
}
TYPE_FIX = Fix(f"must be one of {', '.join(ITEM_TYPES)} (or give a scale)")


def _item_type(raw) -> str | None:
    if isinstance(raw, _ItemSpec):  # when a spec is written out again
        return raw.type or "scale"
    if not isinstance(raw, dict):
        return None
    given = raw.get("type") or ("scale" if "scale" in raw else None)
    return given if isinstance(given, str) else None


ItemSpec = Annotated[
    Annotated[ScaleItemSpec, Tag("scale")]
    | Annotated[YesNoItemSpec, Tag("yes_no")]
    | Annotated[ChoiceItemSpec, Tag("single_choice")]
    | Annotated[ChoiceItemSpec, Tag("multiple_choice")]
    | Annotated[NumberItemSpec, Tag("number")]
    | Annotated[FreeTextItemSpec, Tag("free_text")],
    Discriminator(
        _item_type, custom_error_type="item_type", custom_error_message="no known item type"
    ),
]


class InstrumentSpec(_Spec):
    unknown_key: ClassVar[str] = (
        "is not a known key; use one of code, description, dimensions, items, scales, "
        "sections, title, version"
    )
    code: Annotated[
        Annotated[str, StringConstraints(pattern=INSTRUMENT_CODE_RE.pattern)],
        Fix("is required: lowercase letters, digits and hyphens, e.g. culture-pulse"),
    ]
    version: Annotated[WholeFromOne, Fix("is required and must be a whole number of 1 or more")]
    title: Annotated[NonBlank, REQUIRED]
    description: Any = None
    scales: Annotated[
        dict[Code, ScaleSpec] | None,
        NoneIfEmpty,
        Fix(
            "must be a mapping of scale codes to scales",
            each="must be a mapping with points and labels",
            key="scale codes use lowercase letters, digits and underscores",
        ),
    ] = None
    dimensions: Annotated[
        list[DimensionSpec] | None,
        NoneIfEmpty,
        Fix("must be a list", each="must be a mapping with code and title"),
    ] = None
    sections: Annotated[
        list[SectionSpec] | None,
        NoneIfEmpty,
        Fix("must be a list", each="must be a mapping with code and title"),
    ] = None
    items: Annotated[
        list[ItemSpec],
        Field(min_length=1),
        Fix(
            "is required: a list of at least one item", each="must be a mapping with code and text"
        ),
    ]


ENTRY_SPECS = {"scales": ScaleSpec, "dimensions": DimensionSpec, "sections": SectionSpec}
ENTRY_ADAPTERS = {
    "scales": TypeAdapter(ScaleSpec),
    "dimensions": TypeAdapter(DimensionSpec),
    "sections": TypeAdapter(SectionSpec),
    "items": TypeAdapter(ItemSpec),
}


# -- from pydantic's errors to the author's problems -------------------------------------


def _fix(model: type[BaseModel], field_name: str) -> Fix:
    info = model.model_fields.get(field_name)
    found = [m for m in info.metadata if isinstance(m, Fix)] if info else []
    return found[0] if found else Fix("is not valid")


def _label(name: str, key, raw) -> str:
    """How an entry is named in a problem: by its code when it has a usable one."""
    if name == "scales":
        return f"scales.{key}"
    code = raw.get("code") if isinstance(raw, dict) else None
    if isinstance(code, str) and CODE_RE.match(code):
        return f"{name}.{code}"
    return f"{name}[{key}]"


def _field_problem(model, error, field_name, node, key, rest) -> tuple:
    if error["type"] == "extra_forbidden":
        return key, node, field_name, model.unknown_key
    fix = _fix(model, field_name)
    if rest and isinstance(rest[0], int) and fix.each:  # one entry of a list field
        return f"{key}[{rest[0]}]", node, field_name, fix.each
    return key, node, field_name, fix.message


def _place(error, data: dict) -> tuple:
    """(key, mapping holding the line, field on that line, message) for one pydantic error."""
    loc = error["loc"]
    name = loc[0]
    if len(loc) == 1:
        return _field_problem(InstrumentSpec, error, str(name), data, str(name), ())
    entry, raw = loc[1], data[name][loc[1]]
    label = _label(name, entry, raw)
    outer = _fix(InstrumentSpec, name)
    if len(loc) == 2:  # the entry itself is not a mapping (or, for an item, has no known type)
        if name == "items" and isinstance(raw, dict):
            return f"{label}.type", raw, "type", TYPE_FIX.message
        if name == "scales":
            return label, data[name], str(entry), outer.each
        return f"{name}[{entry}]", data, name, outer.each
    rest = loc[2:]
    if rest == ("[key]",):
        return label, data[name], str(entry), outer.key
    if name == "items":
        model, rest = ITEM_SPECS[rest[0]], rest[1:]
    else:
        model = ENTRY_SPECS[name]
    field_name = str(rest[0])
    return _field_problem(model, error, field_name, raw, f"{label}.{field_name}", rest[1:])


def _declared_problems(error: ValidationError, data: dict, c: _Collector) -> None:
    seen = set()
    for one in error.errors():
        key, node, field_name, message = _place(one, data)
        if (key, message) not in seen:  # a union reports each of its types
            seen.add((key, message))
            c.add(node, key, message, field_name)


def _right_entries(data: dict, name: str, validated) -> list[tuple]:
    """(key or index, the entry as written, its spec) for each entry right in itself."""
    raw = data.get(name)
    if isinstance(raw, dict):
        written = [(k, v) for k, v in raw.items() if isinstance(k, str) and CODE_RE.match(k)]
    else:
        written = list(enumerate(raw)) if isinstance(raw, list) else []
    if validated is not None:
        specs = list(validated.values()) if isinstance(validated, dict) else validated
        return [(k, v, spec) for (k, v), spec in zip(written, specs, strict=True)]
    right = []
    for key, value in written:
        try:
            right.append((key, value, ENTRY_ADAPTERS[name].validate_python(value)))
        except ValidationError:
            pass  # its problems are listed already
    return right


def _codes_written(data: dict, name: str) -> list[str]:
    """Every entry's code as written, valid or not, first use only, in order."""
    raw = data.get(name)
    if isinstance(raw, dict):
        return [k for k in raw if isinstance(k, str)]
    entries = raw if isinstance(raw, list) else []
    codes = (e.get("code") for e in entries if isinstance(e, dict))
    return list(dict.fromkeys(code for code in codes if isinstance(code, str)))


# -- rules between entries ---------------------------------------------------------------


def _first_of_each_code(entries: list[tuple], name: str, data, c: _Collector) -> list[tuple]:
    """The entries, without those repeating the code of an earlier entry as written (right
    or not), each of them a problem."""
    first: dict[str, dict] = {}
    for written in data[name] if entries else ():
        if isinstance(written, dict) and isinstance(written.get("code"), str):
            first.setdefault(written["code"], written)
    kept = []
    for index, raw, spec in entries:
        if first[spec.code] is not raw:
            line = _line(first[spec.code], "code")
            earlier = f" (first used on line {line})" if line else ""
            c.add(raw, f"{name}.{spec.code}", f"is a duplicate {name[:-1]} code{earlier}", "code")
            continue
        kept.append((index, raw, spec))
    return kept


def _scale_is_known(spec, scales: dict[str, Scale], named: list[str]):
    if isinstance(spec, ScaleItemSpec) and not (
        isinstance(spec.scale, str) and spec.scale in scales
    ):
        if isinstance(spec.scale, str) and spec.scale in named:
            return  # the scale is there but wrong, and said so
        known = ", ".join(named) or "none defined"
        yield "scale", "scale", f"names unknown scale {spec.scale!r} (known: {known})"


def _dimensions_are_known(spec, named: list[str]):
    for dim in spec.dimension_codes():
        if dim not in named:
            yield "dimension", spec.dimension_field(), f"names unknown dimension {dim!r}"


def _only_scored_items_feed_dimensions(spec):
    if spec.dimension_codes() and not isinstance(spec, ScaleItemSpec | YesNoItemSpec):
        message = "only scale and yes/no items can feed a dimension"
        yield "dimension", spec.dimension_field(), message


def _section_is_known(spec, named: list[str]):
    if named and "section" in spec.model_fields_set and spec.section not in named:
        yield "section", "section", f"names unknown section {spec.section!r}"


def _show_if_looks_back(spec, order: list[str], built: dict[str, Item]):
    """A condition names an earlier item, and answers that item can have."""
    if spec.show_if is None:
        return
    target, here = spec.show_if.item, spec.code
    if target not in order:
        problem = f"names unknown item {target!r}"
    elif target == here:
        problem = "cannot depend on the item itself"
    elif order.index(target) > order.index(here):
        problem = f"depends on {target!r}, which comes later; conditions look back only"
    elif spec.show_if.values() is None:
        problem = "needs `equals: VALUE` or `in: [VALUES]`"
    else:
        problem = _answer_not_offered(spec.show_if.values(), built.get(target))
    if problem:
        yield "show_if", "show_if", problem


def _answer_not_offered(values: list[str], target: Item | None) -> str | None:
    if target is None or (target.type == "scale" and target.scale is None):
        return None  # the item it depends on is wrong itself, and said so
    allowed = target.option_codes()
    for value in values:
        if allowed and value not in allowed:
            return (
                f"names option {value!r}, which {target.code!r} does not have "
                f"(options: {', '.join(allowed)})"
            )
    return None


def _feeders_written(data: dict) -> Counter:
    """How many items, as written (right or not), name each dimension."""
    feeders = Counter()
    for raw in data.get("items") if isinstance(data.get("items"), list) else []:
        if isinstance(raw, dict):
            dims = raw.get("dimensions", raw.get("dimension", []))
            dims = [dims] if isinstance(dims, str) else dims if isinstance(dims, list) else []
            feeders.update({dim for dim in dims if isinstance(dim, str)})
    return feeders


def _dimensions_are_fed(dimensions: dict[str, Dimension], data, c) -> None:
    """Dimensions are fed by items or made of subdimensions (one level)."""
    named = _codes_written(data, "dimensions")
    feeders = _feeders_written(data)
    for dim in dimensions.values():
        fed_by = feeders[dim.code]
        key = f"dimensions.{dim.code}"
        for sub in dim.subdimensions:
            if sub not in named:
                message = f"names unknown dimension {sub!r}"
            elif sub in dimensions and dimensions[sub].subdimensions:
                message = f"{sub!r} has subdimensions itself; only one level is allowed"
            else:
                continue
            c.add(data, f"{key}.subdimensions", message, "dimensions")
        if dim.subdimensions and fed_by:
            message = "has subdimensions, so items cannot feed it directly"
            c.add(data, key, message, "dimensions")
        elif not dim.subdimensions and not fed_by:
            c.add(data, key, f"has no items; give items `dimension: {dim.code}`", "dimensions")
        elif dim.min_answered is not None and dim.min_answered > fed_by:
            c.add(
                data,
                f"{key}.min_answered",
                f"is {dim.min_answered} but the dimension has only {fed_by} items",
                "dimensions",
            )


# -- building the instrument ---------------------------------------------------------------


def _validate(data: dict, c: _Collector) -> Instrument:
    try:
        spec = InstrumentSpec.model_validate(data)
    except ValidationError as error:
        _declared_problems(error, data, c)
        spec = None
    parts = {
        name: _right_entries(data, name, getattr(spec, name) if spec else None)
        for name in ("scales", "dimensions", "sections", "items")
    }
    for name, entries in parts.items():
        for key, raw, entry in entries:
            for field_name, message in entry.problems():
                label = f"{_label(name, key, raw)}.{field_name}"
                c.add(raw, label, message, field_name.split("[")[0])
    scales = {code: _scale(code, entry) for code, _raw, entry in parts["scales"]}
    dimensions = {
        entry.code: _dimension(entry)
        for _i, _raw, entry in _first_of_each_code(parts["dimensions"], "dimensions", data, c)
    }
    sections = {
        entry.code: Section(entry.code, entry.title.strip())
        for _i, _raw, entry in _first_of_each_code(parts["sections"], "sections", data, c)
    }
    items = _items(_first_of_each_code(parts["items"], "items", data, c), data, scales, sections, c)
    _dimensions_are_fed(dimensions, data, c)
    if c.problems or spec is None:
        raise InstrumentInvalid(sorted(c.problems, key=lambda p: p.line or 0))
    return Instrument(
        code=spec.code,
        version=spec.version,
        title=spec.title.strip(),
        description=str(spec.description or "").strip(),
        scales=scales,
        dimensions=dimensions,
        sections=tuple(sections.values()),
        items=tuple(items),
        source=data,
    )


def _items(entries: list[tuple], data, scales, sections, c: _Collector) -> list[Item]:
    named = {name: _codes_written(data, name) for name in ("scales", "dimensions", "sections")}
    first_section = next(iter(sections), "main")
    built: dict[str, Item] = {}
    for _index, raw, spec in entries:
        for key, field_name, message in [
            *_scale_is_known(spec, scales, named["scales"]),
            *_dimensions_are_known(spec, named["dimensions"]),
            *_only_scored_items_feed_dimensions(spec),
            *_section_is_known(spec, named["sections"]),
        ]:
            c.add(raw, f"items.{spec.code}.{key}", message, field_name)
        scale = scales.get(spec.scale) if isinstance(spec.scale, str) else None
        scale = scale if isinstance(spec, ScaleItemSpec) else None
        built[spec.code] = _item(spec, scale, first_section)
    order = _codes_written(data, "items")
    for _index, raw, spec in entries:
        for key, field_name, message in _show_if_looks_back(spec, order, built):
            c.add(raw, f"items.{spec.code}.{key}", message, field_name)
        if spec.show_if is not None:
            values = spec.show_if.values() or []
            show_if = ShowIf(spec.show_if.item, tuple(values))
            built[spec.code] = replace(built[spec.code], show_if=show_if)
    return list(built.values())


def _scale(code: str, spec: ScaleSpec) -> Scale:
    labels = tuple(label.strip() for label in spec.labels)
    return Scale(code, spec.points, labels, bool(spec.dont_know), spec.positive_options())


def _dimension(spec: DimensionSpec) -> Dimension:
    subdimensions = tuple(spec.subdimensions or ())
    return Dimension(spec.code, spec.title.strip(), spec.min_answered, subdimensions)


def _number(value) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _item(spec: _ItemSpec, scale: Scale | None, first_section: str) -> Item:
    item_type = spec.type or "scale"
    section = spec.section if "section" in spec.model_fields_set else first_section
    return Item(
        code=spec.code,
        text=spec.text.strip(),
        type=item_type,
        section=section if isinstance(section, str) else "main",
        hint=str(spec.hint or "").strip(),
        scale=scale if item_type == "scale" else None,
        options=tuple(spec.option_list()) if isinstance(spec, ChoiceItemSpec) else (),
        dimensions=tuple(spec.dimension_codes()),
        reverse=bool(spec.reverse),
        required=bool(spec.required),
        minimum=_number(spec.min),
        maximum=_number(spec.max),
        max_length=(spec.max_length or 2000) if item_type == "free_text" else None,
        demographic=spec.demographic,
        dont_know=bool(scale.dont_know) if scale else bool(spec.dont_know),
    )


BUILTIN_DIR = Path(__file__).parent / "instruments"


def builtin_instruments() -> list[Instrument]:
    return [load_instrument(path) for path in sorted(BUILTIN_DIR.glob("*.yaml"))]


def instrument_from_data(data: dict, *, filename: str = "stored definition") -> Instrument:
    """Rebuild an Instrument from its stored definition (the validated YAML as data)."""
    return _validate(data, _Collector(filename))


def plain_definition(instrument: Instrument) -> dict:
    """The instrument's source as plain JSON-ready data, for storing."""
    return json.loads(json.dumps(instrument.source))


def definition_digest(instrument: Instrument) -> str:
    canonical = json.dumps(plain_definition(instrument), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
