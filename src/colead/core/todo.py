"""One thing waiting for someone (an objective to agree, a check-in due), in the shape the
home page's to-do list shows. Domain apps return these from their queries; the home app
gathers them (colead.home.todo), so the type sits here, below every app."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ToDo:
    title: str  # what to open: "W1-3: Cut waiting times"
    href: str  # the page where it is done
    detail: str = ""  # why it waits: "Proposed by Sam Nurse", "No check-in for 75 days"
