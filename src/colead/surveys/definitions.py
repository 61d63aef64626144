"""Survey instruments as data: parse and validate instrument YAML files.

No Django imports: analysts and the CLI use this directly. ``load_instrument`` returns an
``Instrument`` or raises ``InstrumentInvalid`` listing every problem with file, line, key and
what is wrong.

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
from dataclasses import dataclass, field
from pathlib import Path

import yaml

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


class InstrumentInvalid(ValueError):
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


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None


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


def _validate(data: dict, c: _Collector) -> Instrument:
    known_top = {
        "code",
        "version",
        "title",
        "description",
        "scales",
        "dimensions",
        "sections",
        "items",
    }
    for key in data:
        if key not in known_top:
            c.add(
                data,
                str(key),
                f"is not a known key; use one of {', '.join(sorted(known_top))}",
                key,
            )

    code = data.get("code")
    if not isinstance(code, str) or not INSTRUMENT_CODE_RE.match(code):
        c.add(
            data,
            "code",
            "is required: lowercase letters, digits and hyphens, e.g. culture-pulse",
            "code",
        )
    version = _as_int(data.get("version"))
    if version is None or version < 1:
        c.add(data, "version", "is required and must be a whole number of 1 or more", "version")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        c.add(data, "title", "is required", "title")

    scales = _validate_scales(data.get("scales") or {}, data, c)
    dimensions = _validate_dimensions(data.get("dimensions") or [], data, c)
    sections = _validate_sections(data.get("sections") or [], data, c)
    items = _validate_items(data.get("items"), data, scales, dimensions, sections, c)

    # Dimensions must be fed by items or made of subdimensions.
    fed = {d for item in items for d in item.dimensions}
    for dim in dimensions.values():
        if dim.subdimensions:
            for sub in dim.subdimensions:
                if sub not in dimensions:
                    c.add(
                        data,
                        f"dimensions.{dim.code}.subdimensions",
                        f"names unknown dimension {sub!r}",
                        "dimensions",
                    )
                elif dimensions[sub].subdimensions:
                    c.add(
                        data,
                        f"dimensions.{dim.code}.subdimensions",
                        f"{sub!r} has subdimensions itself; only one level is allowed",
                        "dimensions",
                    )
            if dim.code in fed:
                c.add(
                    data,
                    f"dimensions.{dim.code}",
                    "has subdimensions, so items cannot feed it directly",
                    "dimensions",
                )
        elif dim.code not in fed:
            c.add(
                data,
                f"dimensions.{dim.code}",
                "has no items; give items `dimension: " + dim.code + "`",
                "dimensions",
            )
        elif dim.min_answered is not None and dim.min_answered > len(
            [i for i in items if dim.code in i.dimensions]
        ):
            c.add(
                data,
                f"dimensions.{dim.code}.min_answered",
                f"is {dim.min_answered} but the dimension has only {len([i for i in items if dim.code in i.dimensions])} items",
                "dimensions",
            )

    if c.problems:
        raise InstrumentInvalid(c.problems)
    return Instrument(
        code=code,
        version=version,
        title=title.strip(),
        description=str(data.get("description") or "").strip(),
        scales=scales,
        dimensions=dimensions,
        sections=tuple(sections.values()),
        items=tuple(items),
        source=data,
    )


def _validate_scales(raw, parent, c: _Collector) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}
    if not isinstance(raw, dict):
        c.add(parent, "scales", "must be a mapping of scale codes to scales", "scales")
        return scales
    for code, spec in raw.items():
        key = f"scales.{code}"
        if not isinstance(code, str) or not CODE_RE.match(code):
            c.add(raw, key, "scale codes use lowercase letters, digits and underscores", str(code))
            continue
        if not isinstance(spec, dict):
            c.add(raw, key, "must be a mapping with points and labels", code)
            continue
        points = _as_int(spec.get("points"))
        labels = spec.get("labels")
        ok = True
        if points is None or not 2 <= points <= 11:
            c.add(spec, f"{key}.points", "must be a whole number from 2 to 11", "points")
            ok = False
        if not isinstance(labels, list) or not all(
            isinstance(x, str) and x.strip() for x in labels
        ):
            c.add(spec, f"{key}.labels", "must be a list of option labels", "labels")
            ok = False
        elif points is not None and len(labels) != points:
            c.add(
                spec,
                f"{key}.labels",
                f"has {len(labels)} labels but points is {points}; give one label per point",
                "labels",
            )
            ok = False
        positive = spec.get("positive")
        if positive is None and points is not None:
            # Top two options of a 5-point scale by default, or the top third more generally.
            top = 2 if points == 5 else max(1, round(points / 3))
            positive = list(range(points - top + 1, points + 1))
        if not isinstance(positive, list) or not all(
            _as_int(p) is not None and points is not None and 1 <= p <= points for p in positive
        ):
            c.add(
                spec,
                f"{key}.positive",
                f"must list option numbers between 1 and {points}",
                "positive",
            )
            ok = False
        for extra in set(spec) - {"points", "labels", "dont_know", "positive"}:
            c.add(
                spec,
                f"{key}.{extra}",
                "is not a known scale key (points, labels, dont_know, positive)",
                extra,
            )
        if ok:
            scales[code] = Scale(
                code,
                points,
                tuple(x.strip() for x in labels),
                bool(spec.get("dont_know")),
                tuple(positive),
            )
    return scales


def _validate_dimensions(raw, parent, c: _Collector) -> dict[str, Dimension]:
    dimensions: dict[str, Dimension] = {}
    if not isinstance(raw, list):
        c.add(parent, "dimensions", "must be a list", "dimensions")
        return dimensions
    for index, spec in enumerate(raw):
        key = f"dimensions[{index}]"
        if not isinstance(spec, dict):
            c.add(parent, key, "must be a mapping with code and title", "dimensions")
            continue
        code = spec.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            c.add(
                spec,
                f"{key}.code",
                "is required: lowercase letters, digits and underscores",
                "code",
            )
            continue
        key = f"dimensions.{code}"
        if code in dimensions:
            c.add(spec, key, "is a duplicate dimension code", "code")
            continue
        if not isinstance(spec.get("title"), str) or not spec["title"].strip():
            c.add(spec, f"{key}.title", "is required", "title")
        min_answered = spec.get("min_answered")
        if min_answered is not None and (_as_int(min_answered) is None or min_answered < 1):
            c.add(
                spec, f"{key}.min_answered", "must be a whole number of 1 or more", "min_answered"
            )
            min_answered = None
        subs = spec.get("subdimensions") or []
        if not isinstance(subs, list) or not all(isinstance(s, str) for s in subs):
            c.add(
                spec, f"{key}.subdimensions", "must be a list of dimension codes", "subdimensions"
            )
            subs = []
        for extra in set(spec) - {"code", "title", "min_answered", "subdimensions", "description"}:
            c.add(spec, f"{key}.{extra}", "is not a known dimension key", extra)
        dimensions[code] = Dimension(
            code, str(spec.get("title") or code).strip(), min_answered, tuple(subs)
        )
    return dimensions


def _validate_sections(raw, parent, c: _Collector) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    if not isinstance(raw, list):
        c.add(parent, "sections", "must be a list", "sections")
        return sections
    for index, spec in enumerate(raw):
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("code"), str)
            or not CODE_RE.match(spec["code"])
        ):
            c.add(
                spec if isinstance(spec, dict) else parent,
                f"sections[{index}].code",
                "is required: lowercase letters, digits and underscores",
                "code",
            )
            continue
        if spec["code"] in sections:
            c.add(spec, f"sections.{spec['code']}", "is a duplicate section code", "code")
            continue
        if not isinstance(spec.get("title"), str) or not spec["title"].strip():
            c.add(spec, f"sections.{spec['code']}.title", "is required", "title")
        sections[spec["code"]] = Section(spec["code"], str(spec.get("title") or "").strip())
    return sections


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


def _validate_items(raw, parent, scales, dimensions, sections, c: _Collector) -> list[Item]:
    if not isinstance(raw, list) or not raw:
        c.add(parent, "items", "is required: a list of at least one item", "items")
        return []
    default_section = "main"
    items: list[Item] = []
    seen: dict[str, dict] = {}
    pending_show_if: list[tuple[dict, str, object]] = []
    for index, spec in enumerate(raw):
        if not isinstance(spec, dict):
            c.add(parent, f"items[{index}]", "must be a mapping with code and text", "items")
            continue
        code = spec.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            c.add(
                spec,
                f"items[{index}].code",
                "is required: lowercase letters, digits and underscores",
                "code",
            )
            continue
        key = f"items.{code}"
        if code in seen:
            c.add(
                spec,
                key,
                f"is a duplicate item code (first used on line {_line(seen[code])})",
                "code",
            )
            continue
        seen[code] = spec
        for extra in set(spec) - ITEM_KEYS:
            c.add(
                spec,
                f"{key}.{extra}",
                f"is not a known item key; use one of {', '.join(sorted(ITEM_KEYS))}",
                extra,
            )
        text = spec.get("text")
        if not isinstance(text, str) or not text.strip():
            c.add(spec, f"{key}.text", "is required", "text")
        item_type = spec.get("type") or ("scale" if "scale" in spec else None)
        if item_type not in ITEM_TYPES:
            c.add(
                spec,
                f"{key}.type",
                f"must be one of {', '.join(ITEM_TYPES)} (or give a scale)",
                "type",
            )
            continue
        scale = None
        options: tuple[Option, ...] = ()
        if item_type == "scale":
            scale_code = spec.get("scale")
            scale = scales.get(scale_code) if isinstance(scale_code, str) else None
            if scale is None:
                known = ", ".join(scales) or "none defined"
                c.add(
                    spec,
                    f"{key}.scale",
                    f"names unknown scale {scale_code!r} (known: {known})",
                    "scale",
                )
        elif item_type in ("single_choice", "multiple_choice"):
            options = _validate_options(spec, key, c)
        dims = spec.get("dimensions", spec.get("dimension", []))
        if isinstance(dims, str):
            dims = [dims]
        if not isinstance(dims, list):
            c.add(
                spec,
                f"{key}.dimensions",
                "must be a dimension code or a list of them",
                "dimensions",
            )
            dims = []
        for dim in dims:
            if dim not in dimensions:
                c.add(
                    spec,
                    f"{key}.dimension",
                    f"names unknown dimension {dim!r}",
                    "dimension" if "dimension" in spec else "dimensions",
                )
        if dims and item_type not in ("scale", "yes_no"):
            c.add(
                spec,
                f"{key}.dimension",
                "only scale and yes/no items can feed a dimension",
                "dimension" if "dimension" in spec else "dimensions",
            )
        section = spec.get("section", sections and next(iter(sections)) or default_section)
        if sections and section not in sections:
            c.add(spec, f"{key}.section", f"names unknown section {section!r}", "section")
        minimum, maximum = spec.get("min"), spec.get("max")
        if item_type == "number":
            for bound_name, bound in (("min", minimum), ("max", maximum)):
                if bound is not None and (
                    isinstance(bound, bool) or not isinstance(bound, int | float)
                ):
                    c.add(spec, f"{key}.{bound_name}", "must be a number", bound_name)
            if (
                isinstance(minimum, int | float)
                and isinstance(maximum, int | float)
                and minimum > maximum
            ):
                c.add(spec, f"{key}.min", "is greater than max", "min")
        max_length = spec.get("max_length")
        if item_type == "free_text":
            if max_length is None:
                max_length = 2000
            elif _as_int(max_length) is None or not 1 <= max_length <= MAX_TEXT_LENGTH:
                c.add(
                    spec,
                    f"{key}.max_length",
                    f"must be a whole number from 1 to {MAX_TEXT_LENGTH}",
                    "max_length",
                )
                max_length = 2000
        demographic = spec.get("demographic")
        if demographic is not None and demographic not in DEMOGRAPHIC_FIELDS:
            c.add(
                spec,
                f"{key}.demographic",
                f"must be one of {', '.join(DEMOGRAPHIC_FIELDS)}",
                "demographic",
            )
        if "show_if" in spec:
            pending_show_if.append((spec, code, spec["show_if"]))
        items.append(
            Item(
                code=code,
                text=str(text or "").strip(),
                type=item_type,
                section=section if isinstance(section, str) else default_section,
                hint=str(spec.get("hint") or "").strip(),
                scale=scale,
                options=options,
                dimensions=tuple(d for d in dims if isinstance(d, str)),
                reverse=bool(spec.get("reverse", False)),
                required=bool(spec.get("required", False)),
                minimum=minimum if isinstance(minimum, int | float) else None,
                maximum=maximum if isinstance(maximum, int | float) else None,
                max_length=max_length if item_type == "free_text" else None,
                demographic=demographic,
                dont_know=bool(scale.dont_know) if scale else bool(spec.get("dont_know", False)),
            )
        )
    by_code = {item.code: item for item in items}
    resolved: dict[str, ShowIf] = {}
    for spec, code, condition in pending_show_if:
        show_if = _validate_show_if(spec, code, condition, by_code, c)
        if show_if:
            resolved[code] = show_if
    if resolved:
        items = [
            Item(**{**item.__dict__, "show_if": resolved[item.code]})
            if item.code in resolved
            else item
            for item in items
        ]
    return items


def _validate_options(spec, key, c) -> tuple[Option, ...]:
    raw = spec.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        c.add(spec, f"{key}.options", "must list at least two options", "options")
        return ()
    options = []
    seen = set()
    for index, option in enumerate(raw):
        if isinstance(option, str):
            option = {
                "code": re.sub(r"[^a-z0-9]+", "_", option.lower()).strip("_"),
                "label": option,
            }
        if (
            not isinstance(option, dict)
            or not isinstance(option.get("code"), str)
            or not isinstance(option.get("label"), str)
        ):
            c.add(
                spec,
                f"{key}.options[{index}]",
                "must be a label, or a mapping with a text code and a label "
                '(put quotes round codes that look like numbers, e.g. "1_5")',
                "options",
            )
            continue
        if option["code"] in seen:
            c.add(
                spec,
                f"{key}.options[{index}]",
                f"repeats option code {option['code']!r}",
                "options",
            )
            continue
        seen.add(option["code"])
        options.append(Option(option["code"], option["label"].strip()))
    return tuple(options)


def _validate_show_if(spec, code, condition, by_code, c) -> ShowIf | None:
    key = f"items.{code}.show_if"
    if not isinstance(condition, dict) or not isinstance(condition.get("item"), str):
        c.add(
            spec,
            key,
            "must be a mapping like {item: CODE, equals: VALUE} or {item: CODE, in: [VALUES]}",
            "show_if",
        )
        return None
    target = by_code.get(condition["item"])
    if target is None:
        c.add(spec, key, f"names unknown item {condition['item']!r}", "show_if")
        return None
    if target.code == code:
        c.add(spec, key, "cannot depend on the item itself", "show_if")
        return None
    order = list(by_code)
    if order.index(target.code) > order.index(code):
        c.add(
            spec,
            key,
            f"depends on {target.code!r}, which comes later; conditions look back only",
            "show_if",
        )
        return None
    if "equals" in condition:
        values = [condition["equals"]]
    elif isinstance(condition.get("in"), list):
        values = condition["in"]
    else:
        c.add(spec, key, "needs `equals: VALUE` or `in: [VALUES]`", "show_if")
        return None
    allowed = target.option_codes()
    values = ["yes" if v is True else "no" if v is False else str(v) for v in values]
    for value in values:
        if allowed and value not in allowed:
            c.add(
                spec,
                key,
                f"names option {value!r}, which {target.code!r} does not have (options: {', '.join(allowed)})",
                "show_if",
            )
            return None
    return ShowIf(target.code, tuple(values))


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
