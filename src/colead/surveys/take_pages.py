"""The respondent's form as pages: one page per section of each instrument, in wave order.

No Django imports. Questions shown or hidden by an earlier answer (``show_if``) are decided on
the server from answers already saved, so the form works the same without JavaScript. When a
question depends on another in the same section, the section is split there and the rest
goes on a following page ("continued"), which is skipped if the answer hides everything on
it. We do not use the NHS.UK radios "conditional reveal" for this: the design system keeps it
for one simple follow-up field, our follow-ups are whole questions (often several), and
axe-core reports the ``aria-expanded`` the reveal puts on radio buttons as a violation.
"""

from dataclasses import dataclass

from colead.surveys.answers import is_visible, prune_hidden
from colead.surveys.definitions import Instrument, Item, Section

RADIO_TYPES = ("scale", "yes_no", "single_choice")


@dataclass(frozen=True)
class Page:
    number: int  # 1-based and stable: it is the page's URL
    instrument: Instrument
    section: Section
    items: tuple[Item, ...]  # in instrument order; no item depends on another on the page
    continued: bool = False  # a later page of a section that had to be split

    @property
    def title(self) -> str:
        return self.section.title + (" (continued)" if self.continued else "")

    def shown_items(self, answers: dict) -> list[Item]:
        """The questions to show, given the answers saved so far (pruned of hidden ones)."""
        return [item for item in self.items if is_visible(item, answers)]

    def is_active(self, answers: dict) -> bool:
        return any(is_visible(item, answers) for item in self.items)


def build_pages(instruments: list[Instrument]) -> list[Page]:
    pages: list[Page] = []
    for instrument in instruments:
        sections = instrument.sections or (Section("main", instrument.title),)
        for section in sections:
            current: list[Item] = []
            continued = False
            for item in instrument.items_in(section.code):
                depends_on = item.show_if.item if item.show_if else None
                if depends_on and any(i.code == depends_on for i in current):
                    pages.append(
                        Page(len(pages) + 1, instrument, section, tuple(current), continued)
                    )
                    current, continued = [], True
                current.append(item)
            if current:
                pages.append(Page(len(pages) + 1, instrument, section, tuple(current), continued))
    return pages


class Form:
    """The pages of a wave's form and where a respondent is in it."""

    def __init__(self, instruments: list[Instrument]):
        self.instruments = instruments
        self.items = [item for instrument in instruments for item in instrument.items]
        self.pages = build_pages(instruments)

    def effective_answers(self, answers: dict) -> dict:
        """The saved answers without those that conditions now hide."""
        return prune_hidden(self.items, answers)

    def page(self, number: int) -> Page | None:
        if 1 <= number <= len(self.pages):
            return self.pages[number - 1]
        return None

    def active_pages(self, answers: dict) -> list[Page]:
        effective = self.effective_answers(answers)
        return [page for page in self.pages if page.is_active(effective)]

    def next_page(self, number: int, answers: dict) -> Page | None:
        return next((p for p in self.active_pages(answers) if p.number > number), None)

    def previous_page(self, number: int, answers: dict) -> Page | None:
        return next((p for p in reversed(self.active_pages(answers)) if p.number < number), None)

    def first_page(self, answers: dict) -> Page | None:
        return self.next_page(0, answers)

    def resume_page(self, answers: dict) -> Page | None:
        """Where a saved form carries on: the last page with an answer if some of its
        questions are still unanswered, else the page after it (None: every page is done,
        go to check answers). A question skipped on an earlier page does not send the
        respondent back: the pages they moved past are done, as on a paper form."""
        effective = self.effective_answers(answers)
        active = self.active_pages(answers)
        answered = [
            index
            for index, page in enumerate(active)
            if any(item.code in effective for item in page.shown_items(effective))
        ]
        if not answered:
            return active[0] if active else None
        last = active[answered[-1]]
        if any(item.code not in effective for item in last.shown_items(effective)):
            return last
        return self.next_page(last.number, answers)

    def estimated_minutes(self) -> int:
        """About eight seconds a question and two minutes a comment box, rounded up."""
        seconds = sum(120 if item.type == "free_text" else 8 for item in self.items)
        return max(1, -(-seconds // 60))
