"""``colead waves create|launch|extend|close|list|rescore|generalise``: script survey waves.

``create`` prints the new wave's id alone on the last line of its output, for scripts."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from colead.core.actor import Actor
from colead.lib.errors import ColeadError
from colead.org.models import Organisation
from colead.surveys import queries, services
from colead.surveys.models import Wave
from colead.surveys.signals import announce_responses_final

# Audited as "system (cli)": the command line is colead's operator, not a signed-in person.
CLI = Actor.system("cli")


def _date(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; use YYYY-MM-DD.") from None


def _list(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class Command(BaseCommand):
    help = "Create, launch, extend, close and list survey waves."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Create a draft wave; prints its id last.")
        create.add_argument("--org", required=True, metavar="CODE")
        create.add_argument("--title", required=True)
        create.add_argument(
            "--instruments",
            required=True,
            metavar="CODE[,CODE]",
            help="Instrument codes (latest version) or CODE@VERSION.",
        )
        create.add_argument("--units", required=True, metavar="UNIT[,UNIT]", help="Unit codes.")
        create.add_argument("--staff-groups", metavar="GROUP[,GROUP]", default="")
        create.add_argument("--threshold", type=int, default=11, help="Reporting threshold (5+).")
        create.add_argument("--comment-threshold", type=int, default=10)
        create.add_argument("--opens", metavar="YYYY-MM-DD")
        create.add_argument("--closes", metavar="YYYY-MM-DD")
        create.add_argument(
            "--choose-unit", action="store_true", help="Respondents choose their own team."
        )
        for name in ("launch", "close"):
            sub = actions.add_parser(name, help=f"{name.title()} a wave.")
            sub.add_argument("wave", metavar="WAVE", type=int)
        extend = actions.add_parser("extend", help="Move an open wave's closing date later.")
        extend.add_argument("wave", metavar="WAVE", type=int)
        extend.add_argument("--closes", required=True, metavar="YYYY-MM-DD")
        rescore = actions.add_parser(
            "rescore",
            help="Score a closed wave's responses again (results are read from the scores).",
        )
        rescore.add_argument("wave", metavar="WAVE", type=int)
        generalise = actions.add_parser(
            "generalise",
            help="Protect a wave closed before closing generalised responses: each response "
            "made to match at least 5 invited people, small staff groups' counts pooled, "
            "then scored again.",
        )
        generalise.add_argument("wave", metavar="WAVE", type=int)
        listing = actions.add_parser("list", help="List an organisation's waves.")
        listing.add_argument("--org", required=True, metavar="CODE")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except ColeadError as error:
            raise CommandError(str(error)) from None

    def _wave(self, wave_id):
        wave = Wave.objects.select_related("organisation").filter(pk=wave_id).first()
        if wave is None:
            raise CommandError(f"There is no wave {wave_id}. See colead waves list --org CODE.")
        return wave

    def handle_create(self, org, title, instruments, units, staff_groups, threshold, **options):
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with code {org}.")
        wave = services.create_wave(
            organisation=organisation,
            settings=services.WaveSettings(
                title=title,
                instruments=_list(instruments),
                unit_codes=_list(units),
                staff_groups=_list(staff_groups),
                opens_on=_date(options["opens"]) if options["opens"] else None,
                closes_on=_date(options["closes"]) if options["closes"] else None,
                reporting_threshold=threshold,
                comment_threshold=options["comment_threshold"],
                respondent_chooses_unit=options["choose_unit"],
            ),
            actor=CLI,
        )
        self.stdout.write(f"Created draft wave {wave.pk}: {wave.title} ({organisation.code}).")
        self.stdout.write(str(wave.pk))

    def handle_launch(self, wave, **options):
        wave = services.launch_wave(wave=self._wave(wave), actor=CLI)
        invited = wave.invitations.count()
        services.queue_invitations(wave=wave, actor=CLI)
        self.stdout.write(f"Launched wave {wave.pk}: {invited:,} people invited; emails queued.")

    def handle_close(self, wave, **options):
        wave = services.close_wave(wave=self._wave(wave), actor=CLI)
        self.stdout.write(f"Closed wave {wave.pk}: {wave.responses.count():,} responses.")

    def handle_rescore(self, wave, **options):
        wave = self._wave(wave)
        if not wave.is_closed:
            raise CommandError(
                f"Wave {wave.pk} ({wave.title}) is {wave.status}: only a closed wave has scores. "
                "Close it first (colead waves close WAVE)."
            )
        # Scored by whoever listens (insights), in this transaction.
        with transaction.atomic():
            announce_responses_final(wave=wave, actor=CLI)
        self.stdout.write(f"Scored wave {wave.pk}: {wave.responses.count():,} respondents.")

    def handle_generalise(self, wave, **options):
        wave = self._wave(wave)
        done = services.generalise_closed_wave(wave=wave, actor=CLI)
        self.stdout.write(
            f"Wave {wave.pk}: {done.moved:,} responses moved to a larger unit, "
            f"{done.dropped:,} answers no longer kept."
        )

    def handle_extend(self, wave, closes, **options):
        wave = services.extend_wave(wave=self._wave(wave), closes_on=_date(closes), actor=CLI)
        self.stdout.write(f"Wave {wave.pk} now closes on {wave.closes_on.isoformat()}.")

    def handle_list(self, org, **options):
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with code {org}.")
        for summary in queries.wave_list(actor=CLI, organisation=organisation).waves:
            wave = summary.wave
            self.stdout.write(
                f"{wave.pk}\t{wave.status}\t{wave.title}\t"
                f"{wave.opens_on or ''}\t{wave.closes_on or ''}\tthreshold {wave.reporting_threshold}"
            )
