"""The survey pages: ``waves`` (managing waves and their response rates, for staff who run
surveys) and ``take`` (the respondent's side, with no sign-in)."""
