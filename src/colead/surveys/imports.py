"""Importing survey responses gathered elsewhere (paper forms, a local extract of the NHS
Staff Survey) into a wave: ``import_responses``, called by ``colead import responses``.

The file is checked by the pure validator in colead.surveys.response_import; if it has any
problem, ImportRejected lists them all and nothing is written. Otherwise every row becomes
a Response (source "import", linked to nobody), in one transaction with a ResponseImport
record and an audit event. See docs/data-formats.md, "The responses file".
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from colead.audit.services import record
from colead.core.actor import Actor
from colead.lib import tree
from colead.lib.errors import Conflict
from colead.lib.formatting import uk_date
from colead.lib.problems import ImportRejected
from colead.lib.table import read_table
from colead.org.models import Unit
from colead.surveys.models import Response, ResponseImport, ResponseSource, Wave, WaveUnit
from colead.surveys.response_import import ResponsesPlan, validate_responses
from colead.surveys.services import generalise_responses, mask_comment, wave_instruments
from colead.surveys.signals import announce_responses_final

__all__ = ["ImportRejected", "ResponsesImportResult", "import_responses"]

BATCH = 2000


@dataclass
class ResponsesImportResult:
    wave: Wave
    filename: str
    sha256: str
    responses: int = 0
    hidden_dropped: int = 0  # answers to questions the form would not have asked
    rows_with_hidden: int = 0
    dont_know: int = 0
    comments: int = 0
    submitted_on: date | None = None
    dry_run: bool = False
    response_import: ResponseImport | None = None

    def summary_line(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        noun = "response" if self.responses == 1 else "responses"
        return f"{verb} {self.responses:,} {noun} into wave {self.wave.pk} ({self.wave.title})."

    def hidden_line(self) -> str | None:
        """Said only when answers were dropped."""
        if not self.hidden_dropped:
            return None
        answers = "answer" if self.hidden_dropped == 1 else "answers"
        rows = "response" if self.rows_with_hidden == 1 else "responses"
        return (
            f"Dropped {self.hidden_dropped:,} {answers} to questions the form would not have "
            f"asked (in {self.rows_with_hidden:,} {rows})."
        )


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _units(wave: Wave) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """(code -> id of units a response may be reported in, other unit codes of the
    organisation -> why not, the wave's target unit codes). A response may be reported in
    any active unit in (or below) the wave's units, or in a unit the wave was launched with
    even if it has since been deactivated."""
    roots = list(wave.target_units.order_by("path"))
    launched_with = set(WaveUnit.objects.filter(wave=wave).values_list("unit_id", flat=True))
    allowed: dict[str, int] = {}
    others: dict[str, str] = {}
    rows = Unit.objects.for_org(wave.organisation).values_list("id", "code", "path", "is_active")
    for unit_id, code, path, is_active in rows:
        inside = tree.within_any(path, (root.path for root in roots))
        if inside and (is_active or unit_id in launched_with):
            allowed[code] = unit_id
        else:
            others[code] = "inactive" if inside else "outside"
    return allowed, others, [root.code for root in roots]


def _submitted_on(wave: Wave) -> date:
    """Imported responses are dated the day of the import, or, for a closed wave, the day
    it closed (so that they fall within its fieldwork)."""
    today = timezone.localdate()
    if wave.is_closed:
        if wave.closed_at is not None:
            return min(timezone.localdate(wave.closed_at), today)
        if wave.closes_on is not None:
            return min(wave.closes_on, today)
    return today


def import_responses(
    *,
    wave: Wave,
    content: bytes,
    filename: str,
    mapping_content: bytes | None = None,
    mapping_filename: str = "mapping.csv",
    actor: Actor,
    dry_run: bool = False,
) -> ResponsesImportResult:
    """Import a CSV/XLSX file of responses into an open or closed wave.

    Raises Conflict for a draft wave or a file already imported into the wave (the same
    content, by SHA-256), and ImportRejected listing every problem in the file and the
    mapping file; in both cases nothing is written."""
    if wave.is_draft:
        raise Conflict(
            f"{wave.title} is still a draft. Responses can be imported only into a wave that "
            "has been launched (open or closed): launch it first."
        )
    sha256 = _sha256(content)
    result = ResponsesImportResult(wave=wave, filename=filename, sha256=sha256, dry_run=dry_run)
    table = read_table(content, filename)
    mapping = read_table(mapping_content, mapping_filename) if mapping_content is not None else None
    with transaction.atomic():
        wave = Wave.objects.select_for_update().select_related("organisation").get(pk=wave.pk)
        result.wave = wave
        earlier = ResponseImport.objects.filter(wave=wave, sha256=sha256).first()
        if earlier is not None:
            raise Conflict(
                f"This file was already imported into {wave.title} on "
                f"{uk_date(earlier.imported_at)} (as {earlier.filename}, {earlier.rows:,} "
                "responses). Importing it again would count those responses twice."
            )
        allowed, others, roots = _units(wave)
        organisation = wave.organisation
        plan = validate_responses(
            table,
            instruments=wave_instruments(wave),
            units=allowed,
            other_units=others,
            wave_units=roots,
            organisation=f"{organisation.name} ({organisation.code})",
            mapping=mapping,
        )
        del table
        _count(result, plan)
        result.submitted_on = _submitted_on(wave)
        if dry_run:
            return result
        _write(wave, plan, result.submitted_on)
        result.response_import = ResponseImport.objects.create(
            wave=wave,
            filename=filename[:255],
            sha256=sha256,
            rows=plan.count,
            imported_by=actor.user,
        )
        record(
            action="survey.responses_import",
            actor=actor,
            organisation=organisation,
            obj=result.response_import,
            object_repr=f"responses import of {filename} into {wave.title}",
            detail={
                "wave": wave.pk,
                "filename": filename,
                "sha256": sha256,
                "mapping": mapping_filename if mapping_content is not None else None,
                "responses": result.responses,
                "hidden_dropped": result.hidden_dropped,
                "dont_know": result.dont_know,
                "comments": result.comments,
                "wave_status": wave.status,
                "source": actor.source,
            },
        )
        # A closed wave's stored scores include the new responses (scored by insights, in
        # this transaction); an open wave's are scored when it closes.
        if wave.is_closed:
            announce_responses_final(wave=wave, actor=actor)
    return result


def _count(result: ResponsesImportResult, plan: ResponsesPlan) -> None:
    result.responses = plan.count
    result.hidden_dropped = plan.hidden_dropped
    result.rows_with_hidden = plan.rows_with_hidden
    result.dont_know = plan.dont_know
    result.comments = plan.comments


def _write(wave: Wave, plan: ResponsesPlan, submitted_on: date) -> None:
    """Comments are masked (names, numbers, emails) as online ones are; rows are stored in a
    random order, so that the order of a paper pile says nothing in the database."""
    responses = plan.responses
    random.SystemRandom().shuffle(responses)
    rows = []
    for planned in responses:
        comments = planned.comments
        if comments:
            comments = {code: mask_comment(wave, text) for code, text in comments.items()}
        rows.append(
            Response(
                wave=wave,
                reporting_unit_id=planned.unit,
                submitted_on=submitted_on,
                demographics=planned.demographics,
                answers=planned.answers,
                comments=comments,
                source=ResponseSource.IMPORT,
            )
        )
    if wave.is_closed:
        # As closing does for the rest: each stored response matches 5 invited people.
        generalise_responses(wave, rows)
    Response.objects.bulk_create(rows, batch_size=BATCH)
