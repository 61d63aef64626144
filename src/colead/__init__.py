"""colead: collective leadership for NHS trusts."""

__version__ = "0.1.0"
