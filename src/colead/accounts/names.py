"""How pages name people who acted: by their name, not their email address."""

from colead.core.actor import label_in_words


def display_name(user) -> str:
    """A user's full name, else their email address."""
    return (user.full_name or "").strip() or user.email


def actor_name(user, label: str) -> str:
    """Who did something, as a history or the audit log shows it: the user's name when the
    user is known (``user`` may be None), else the stored label in plain words ("colead
    (command line)")."""
    return display_name(user) if user is not None else label_in_words(label)
