"""Who is acting: a signed-in user, an anonymous visitor, or the system, and from where.

Services take an ``Actor`` instead of a user and a request: the audit log takes the label
and the client address from it, and a CLI command or a scheduled task says why it acts.

Nothing here skips a permission check by itself. A service that lets the system through
asks ``actor.is_system`` explicitly; an anonymous visitor is not the system.

Django-light: no model is imported, so this module sits in core, below accounts.
"""

from dataclasses import dataclass
from typing import Any

SOURCES = ("web", "api", "cli", "task")


@dataclass(frozen=True)
class Actor:
    user: Any = None  # a colead.accounts User, or None for the system or an anonymous visitor
    reason: str = ""  # why the system acts ("cli", "demo", "task: close due waves")
    address: str | None = None  # the client's IP address, for web and API requests
    source: str = "web"

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"Actor source {self.source!r}: use one of {', '.join(SOURCES)}.")
        if self.user is not None and self.reason:
            raise ValueError("An actor is a user or the system with a reason, not both.")

    @classmethod
    def from_request(cls, request, source: str = "web", *, user=None) -> "Actor":
        """The person behind a web or API request (anonymous when not signed in). The API
        authenticates into ``request.auth``; pages into ``request.user``. ``user`` names
        them where the request does not yet (signing in, a password reset link)."""
        if user is None and source == "api":
            user = getattr(request, "auth", None)
        if user is None:
            user = getattr(request, "user", None)
        if user is not None and not getattr(user, "is_authenticated", False):
            user = None
        address = request.META.get("REMOTE_ADDR") or None
        return cls(user=user, address=address, source=source)

    @classmethod
    def system(cls, reason: str, source: str = "cli") -> "Actor":
        """colead itself, acting for ``reason`` (a command, the demo, a scheduled task)."""
        if not reason or not reason.strip():
            raise ValueError('Actor.system needs a reason, e.g. Actor.system("cli").')
        return cls(reason=reason.strip(), source=source)

    @classmethod
    def of_user(cls, user, *, source: str, address: str | None = None) -> "Actor":
        """A named user acting outside a request, e.g. a command run with ``--user EMAIL``."""
        if user is None:
            raise ValueError("Actor.of_user needs a user; use Actor.system(reason) for colead.")
        return cls(user=user, address=address, source=source)

    @property
    def is_system(self) -> bool:
        return self.user is None and bool(self.reason)

    @property
    def is_anonymous(self) -> bool:
        return self.user is None and not self.reason

    @property
    def label(self) -> str:
        """How the audit log names the actor."""
        if self.user is not None:
            return self.user.email
        if self.is_system:
            return f"system ({self.reason})"
        return "anonymous"


# How pages name the system's reasons; a task's reason is "task: what it does".
_REASON_WORDS = {"cli": "command line", "demo": "demo"}


def label_in_words(label: str) -> str:
    """A stored actor label (``Actor.label``) as a page names it: "system (cli)" is
    "colead (command line)", "system (task: coverage snapshot)" is "colead (background
    job: coverage snapshot)", "anonymous" someone not signed in; an email stays as it is
    (the user's name is shown instead where the user is known)."""
    if label == "anonymous":
        return "Someone not signed in"
    if label.startswith("system (") and label.endswith(")"):
        reason = label[len("system (") : -1].strip()
        if reason.startswith("task:"):
            return f"colead (background job: {reason[len('task:') :].strip()})"
        return f"colead ({_REASON_WORDS.get(reason, reason)})"
    return label
