"""What is wrong with an import file, said so that someone can fix it. No Django imports."""

from dataclasses import dataclass

from colead.lib.errors import ColeadError


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem in an import file.

    ``row`` is the spreadsheet row (the header is row 1, the first data row is row 2), or
    None for a problem with the whole file. ``column`` is the column heading, or None.
    ``message`` says what is wrong (quoting the value where there is one); ``fix`` says
    how to put it right.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    fix: str = ""

    def place(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.place()}: {self.message}"
        if self.fix:
            text += f" {self.fix}"
        return " ".join(text.split())  # one line, even if a value held a line break

    def sort_key(self) -> int:
        """Whole-file problems first, then by row (a stable sort keeps column order)."""
        return self.row if self.row is not None else -1


class ImportRejected(ColeadError):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = sorted(problems, key=ImportProblem.sort_key)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was imported.")


def quote(value: str, limit: int = 60) -> str:
    """A value as shown in a message: in double quotes, shortened if very long."""
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return f'"{shown}"'


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"
