"""Surveys: instruments, waves, invitations and anonymous responses.

Anonymity by design (docs/privacy.md): an Invitation knows the person and, while the wave is
open, whether they responded, nothing else. A Draft, a Ballot (sealed) and a Response know
answers and a reporting unit, never a person, token, IP address or time of day. Tokens are
stored only as keyed digests, with a different key for the invitation and for the draft, so
neither row leads to the other.
"""

import uuid

from django.core.validators import MinValueValidator
from django.db import models

from colead.core.models import OrgScopedManager, OrgScopedQuerySet
from colead.lib import memory
from colead.surveys import definitions
from colead.surveys.sealing import SealedJSONField

MIN_REPORTING_THRESHOLD = 5
# digest -> Instrument: the one place a stored definition is parsed (wave_instruments and the
# form pages build on it).
_PARSED_INSTRUMENTS: dict[str, definitions.Instrument] = memory.register(
    {}, f"{__name__}._PARSED_INSTRUMENTS"
)


class InstrumentVersion(models.Model):
    """An instrument definition imported into an organisation. Immutable once used."""

    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="instruments"
    )
    code = models.CharField(max_length=50)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The validated YAML, as data.")
    digest = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code", "version"], name="instrument_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def parsed(self) -> definitions.Instrument:
        # Stored versions never change, so a parsed copy is kept per process by digest:
        # every submission needs the definition, and validating it each time is costly.
        cached = _PARSED_INSTRUMENTS.get(self.digest)
        if cached is None:
            cached = definitions.instrument_from_data(self.definition)
            _PARSED_INSTRUMENTS[self.digest] = cached
        return cached


class WaveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class WaveQuerySet(OrgScopedQuerySet):
    pass


class Wave(models.Model):
    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="waves"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT)
    instruments = models.ManyToManyField(
        InstrumentVersion, through="WaveInstrument", related_name="+"
    )
    target_units = models.ManyToManyField(
        "org.Unit", related_name="+", help_text="Everyone in these units' subtrees is invited."
    )
    staff_groups = models.JSONField(
        default=list, blank=True, help_text="Staff group codes to invite; empty means everyone."
    )
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    reporting_threshold = models.PositiveSmallIntegerField(
        default=11, validators=[MinValueValidator(MIN_REPORTING_THRESHOLD)]
    )
    comment_threshold = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(MIN_REPORTING_THRESHOLD)]
    )
    respondent_chooses_unit = models.BooleanField(
        default=False, help_text="Respondents pick their team from a list instead of by invitation."
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = WaveQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reporting_threshold__gte=MIN_REPORTING_THRESHOLD),
                name="wave_reporting_threshold_at_least_5",
            ),
            models.CheckConstraint(
                condition=models.Q(comment_threshold__gte=MIN_REPORTING_THRESHOLD),
                name="wave_comment_threshold_at_least_5",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_draft(self):
        return self.status == WaveStatus.DRAFT

    @property
    def is_open(self):
        return self.status == WaveStatus.OPEN

    @property
    def is_closed(self):
        return self.status == WaveStatus.CLOSED

    def ordered_instruments(self) -> list[InstrumentVersion]:
        return [
            link.instrument
            for link in self.wave_instruments.select_related("instrument").order_by("position")
        ]


class WaveInstrument(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="wave_instruments")
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "instrument"], name="wave_instrument_unique")
        ]


class WaveUnit(models.Model):
    """A reporting unit of a launched wave, frozen at launch, with how many were invited."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="wave_units")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    invited = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "unit"], name="wave_unit_unique")]


# The staff group of a closed wave's kept counts that pools a unit's small staff groups.
POOLED_STAFF_GROUPS = "pooled"


class WaveResponseCount(models.Model):
    """Invited and responded counts of a closed wave per reporting unit (frozen at launch)
    and staff group: all the response-rate pages need once closing has erased from the
    invitations who responded (docs/privacy.md)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="response_counts")
    reporting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    staff_group = models.CharField(max_length=40)
    invited = models.PositiveIntegerField()
    responded = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "reporting_unit", "staff_group"], name="wave_response_count_unique"
            )
        ]


class Invitation(models.Model):
    """Who was invited and, while the wave is open, whether they have responded (for
    reminders) and when their emails went: never what they said. Closing the wave clears
    ``responded``, ``sent_at`` and ``reminded_at`` (counts are kept in WaveResponseCount)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    reporting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    staff_group = models.CharField(max_length=40)
    nonce = models.CharField(max_length=32, help_text="Rotating it invalidates the link.")
    token_digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    responded = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "person"], name="one_invitation_per_person")
        ]


class DeviceLink(models.Model):
    """A shared-device (ward kiosk) link: each completion gets a fresh anonymous token."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="device_links")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    slug = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "unit"], name="one_device_link_per_unit")
        ]


class Draft(models.Model):
    """Answers saved while someone is still filling in the form, keyed by a digest of their
    token that differs from the invitation's. No person, no invitation. The answers are
    sealed as a ballot's are and the id is random, so whoever holds the database can neither
    read an unfinished form nor put drafts in the order people started them (and join that
    order to the access log)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key_digest = models.CharField(max_length=64, unique=True)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    reporting_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = SealedJSONField(default=dict, help_text="Answers so far, encrypted.")
    submitted = models.BooleanField(default=False)
    updated_on = models.DateField(auto_now=True)


class Ballot(models.Model):
    """A submitted response during fieldwork. Written in the same transaction that marks the
    invitation as responded, so its content is sealed (``colead.surveys.sealing``): whoever
    holds the database sees only the wave, unit, day and source, never the answers. Its id
    is random, so ids do not give the order of submission. Opened, generalised and moved,
    shuffled, into Response when the wave closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="ballots")
    reporting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    sealed = SealedJSONField(
        default=dict, help_text="Demographics, answers and comments, encrypted."
    )
    source = models.CharField(max_length=10)

    # The sealed parts read and written by name, as a Response's fields are.
    def _sealed_part(name):
        def get(self):
            return (self.sealed or {}).get(name) or {}

        def set(self, value):
            self.sealed = {**(self.sealed or {}), name: value or {}}

        return property(get, set)

    demographics = _sealed_part("demographics")
    answers = _sealed_part("answers")
    comments = _sealed_part("comments")
    del _sealed_part


class ResponseSource(models.TextChoices):
    ONLINE = "online", "Online (personal invitation)"
    DEVICE = "device", "Shared device"
    IMPORT = "import", "Imported"


class Response(models.Model):
    """One anonymous response: wave, reporting unit, day, demographics, answers, comments.
    A random id, so the order of rows says nothing about the order of submission."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    reporting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    demographics = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    comments = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=10, choices=ResponseSource.choices)

    class Meta:
        indexes = [models.Index(fields=["wave", "reporting_unit"])]


class ResponseImport(models.Model):
    """A file of responses gathered elsewhere (paper, the national survey)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
