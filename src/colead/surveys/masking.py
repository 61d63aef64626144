"""Masking personal details in free-text comments before they are stored (no Django imports).

Removes email addresses, UK phone numbers, employee numbers and the names of the
organisation's staff. It errs towards masking: a staff member's surname or first name
written with a capital letter is masked even when it might be an ordinary word, except for
a short list of words that are common in comments."""

import re
from collections.abc import Iterable

EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
# UK numbers: 07700 900123, +44 7700 900123, 0161 496 0000, (020) 7946 0000, 01632960000
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\w)"
)
KEEP_WORDS = {
    "i",
    "a",
    "the",
    "we",
    "our",
    "my",
    "it",
    "this",
    "that",
    "and",
    "but",
    "ward",
    "team",
    "manager",
    "matron",
    "doctor",
    "nurse",
    "sister",
    "charge",
    "staff",
    "nhs",
    "trust",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "may",
    "june",
    "april",
    "august",
    "will",
    "mark",
    "hope",
    "grace",
    "joy",
    "faith",
    "rose",
    "summer",
    "dawn",
    "bill",
    "frank",
    "rich",
    "young",
    "long",
    "little",
    "white",
    "black",
    "brown",
    "green",
    "good",
    "best",
    "well",
    "day",
    "night",
    "hall",
    "north",
    "south",
    "east",
    "west",
    "new",
    "patient",
    "patients",
}
NAME_MASK = "[name removed]"
WORD_RUN_RE = re.compile(r"\w+")


def build_masker(
    *, first_names: Iterable[str], last_names: Iterable[str], employee_numbers: Iterable[str]
):
    """Return mask(text) -> (masked_text, number_of_masks) for one organisation."""
    first_names, last_names = list(first_names), list(last_names)
    full_names = {
        (first.strip().lower(), last.strip().lower())
        for first, last in zip(first_names, last_names, strict=False)
        if first and last
    }
    firsts = {n.strip().lower() for n in first_names if n and len(n.strip()) > 1}
    lasts = {n.strip().lower() for n in last_names if n and len(n.strip()) > 1}
    name_words = (firsts | lasts) - KEEP_WORDS
    numbers = {n.strip() for n in employee_numbers if n and len(n.strip()) >= 3}
    # A number made only of word characters can only match a whole run of them (it must
    # not touch a word character on either side), so those are looked up in a set: one
    # alternation of every number took seconds to compile for a large trust, per process.
    word_numbers = {n.lower() for n in numbers if WORD_RUN_RE.fullmatch(n)}
    other_numbers = sorted(
        (n for n in numbers if not WORD_RUN_RE.fullmatch(n)), key=len, reverse=True
    )
    number_re = (
        re.compile(
            r"(?<![\w])(" + "|".join(re.escape(n) for n in other_numbers) + r")(?![\w])", re.I
        )
        if other_numbers
        else None
    )
    word_re = re.compile(r"\b[A-Z][\w'’-]*\b")

    def mask(text: str) -> tuple[str, int]:  # noqa: C901 - a few small, ordered passes
        count = 0

        def sub(pattern, replacement, value):
            nonlocal count
            value, n = pattern.subn(replacement, value)
            count += n
            return value

        text = sub(EMAIL_RE, "[email removed]", text)
        text = sub(PHONE_RE, "[phone number removed]", text)
        if number_re is not None:
            text = sub(number_re, "[number removed]", text)
        if word_numbers:

            def number_sub(match):
                nonlocal count
                if match.group(0).lower() in word_numbers:
                    count += 1
                    return "[number removed]"
                return match.group(0)

            text = WORD_RUN_RE.sub(number_sub, text)

        # Full names first: a surname that is also an ordinary word ("Sam Nurse") is still
        # masked when it follows the person's first name.
        words = list(word_re.finditer(text))
        spans = []
        for first, last in zip(words, words[1:], strict=False):
            between = text[first.end() : last.start()]
            bare_last = re.sub(r"['’]s$", "", last.group(0)).lower()
            if between.isspace() and (first.group(0).lower(), bare_last) in full_names:
                if not spans or spans[-1][1] <= first.start():
                    spans.append((first.start(), last.end()))
        for start, end in reversed(spans):
            text = text[:start] + NAME_MASK + text[end:]
            count += 1

        def name_sub(match):
            nonlocal count
            word = match.group(0)
            bare = re.sub(r"['’]s$", "", word).lower()
            if bare in name_words:
                count += 1
                return NAME_MASK
            return word

        text = word_re.sub(name_sub, text)
        # "[name removed] [name removed]" (first and last name) reads better as one mask.
        text = re.sub(r"(\[name removed\]\s+)+\[name removed\]", NAME_MASK, text)
        return text, count

    return mask
