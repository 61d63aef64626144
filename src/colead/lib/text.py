"""Checks on text that people send in (imports, instruments). No Django imports.

Control characters are invisible in a spreadsheet and useless in a name or an answer, and
PostgreSQL refuses NUL in text outright (a server error at the write). Every import refuses
them with the place named; tab, line feed and carriage return are allowed, since a
free-text answer may hold line breaks.
"""

import re

# C0 controls except tab, LF and CR; DEL; the C1 controls.
CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAMES = {0: "NUL", 0x7F: "DEL", 0x1B: "ESC", 0x08: "backspace", 0x0C: "form feed"}


def find_control_character(text: str) -> str | None:
    """The first control character in ``text`` that colead refuses, or None."""
    match = CONTROL_CHARACTER_RE.search(text)
    return match.group(0) if match else None


def describe_character(character: str) -> str:
    """ "\\x00" -> "NUL (U+0000)": how a message names an invisible character."""
    code = ord(character)
    name = _NAMES.get(code, "control character")
    return f"{name} (U+{code:04X})"


def visible(text: str) -> str:
    """``text`` with each refused control character written as \\xNN, for showing it."""
    return CONTROL_CHARACTER_RE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
