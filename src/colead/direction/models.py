"""Direction: versioned vision statements, objectives at every level, their alignment,
check-ins and the recorded acts of agreement.

Every write goes through ``colead.direction.services``, which keeps two rules the tables
cannot: no objective is its own ancestor, and an individual objective sits in its owner's
unit tree (its unit is one of the owner's teams or above it).
"""

import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from colead.core.models import OrgScopedManager
from colead.direction import reference

OBJECTIVE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


def _choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    return list(vocabulary.items())


class VisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved by the board"


class Vision(models.Model):
    """One version of an organisation's vision, mission and values. A draft can be edited;
    once the board approves it, it never changes. The current vision is the approved
    version with the highest number."""

    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="visions"
    )
    version = models.PositiveIntegerField()
    vision = models.TextField(help_text="Where the organisation is going, in a sentence or two.")
    mission = models.TextField(blank=True, help_text="What it does, for whom.")
    # [{"name": "Compassion", "description": "We ..."}], in the order they are shown.
    values = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=VisionStatus.choices, default=VisionStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_on = models.DateField(
        null=True, blank=True, help_text="The date of the board meeting that approved it."
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField(
        max_length=300, blank=True, help_text="For example the meeting and minute reference."
    )

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="vision_version_unique_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(approved_on__isnull=False, approved_at__isnull=False),
                name="vision_approved_has_date",
            ),
        ]

    def __str__(self):
        return f"Vision v{self.version} ({self.get_status_display().lower()})"

    @property
    def is_approved(self) -> bool:
        return self.status == VisionStatus.APPROVED


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class Objective(models.Model):
    """An objective of a unit (organisation, division, directorate, department or team)
    or, with an owner, of one person. Its parents are the objectives it serves."""

    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="objectives"
    )
    code = models.CharField(
        max_length=40,
        validators=[RegexValidator(OBJECTIVE_CODE_RE, "Use letters, digits, . - and _.")],
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="objectives")
    owner = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
        help_text="Set for an individual objective; blank for a unit's objective.",
    )
    parents = models.ManyToManyField(
        "self", symmetrical=False, through="Alignment", related_name="children", blank=True
    )
    elements = models.JSONField(
        default=list, blank=True, help_text="Cultural element codes (direction.reference)."
    )
    measure = models.CharField(max_length=200, blank=True)
    unit_of_measure = models.CharField(max_length=50, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10,
        choices=ObjectiveStatus.choices,
        default=ObjectiveStatus.DRAFT,
        db_index=True,
    )
    # The latest agreement, kept here so quality checks need no query of the acts; cleared
    # when the objective's substance changes (it must then be proposed and agreed again).
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="objective_code_unique_per_org"
            )
        ]
        indexes = [models.Index(fields=["organisation", "unit", "status"])]

    def __str__(self):
        return f"{self.code}: {self.title}"

    @property
    def is_individual(self) -> bool:
        return self.owner_id is not None

    @property
    def element_names(self) -> list[str]:
        return [reference.ELEMENTS.get(code, code) for code in self.elements]


def objective_limits() -> reference.ObjectiveLimits:
    """The objective's text limits as its fields declare them: the forms, the import, the
    services and the API's schemas all read them from here."""
    field = Objective._meta.get_field
    return reference.ObjectiveLimits(
        code=field("code").max_length,
        title=field("title").max_length,
        measure=field("measure").max_length,
        unit_of_measure=field("unit_of_measure").max_length,
    )


class Alignment(models.Model):
    """An objective (child) serves another (parent). An objective may serve several."""

    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="alignment_unique"),
            models.CheckConstraint(
                condition=~models.Q(child=models.F("parent")), name="alignment_not_self"
            ),
        ]


class Confidence(models.TextChoices):
    HIGH = "high", "On track"
    MEDIUM = "medium", "At risk"
    LOW = "low", "Off track"


class CheckIn(models.Model):
    """Progress on an objective: the measure's value on a date, and how confident the
    owner is of reaching the target."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField()
    value = models.FloatField(null=True, blank=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(
        max_length=254,
        help_text=(
            "The user's email; when colead itself acts, 'system' and why, e.g. "
            "'system (cli)', 'system (demo)' (core.actor.Actor.label)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["objective", "date", "id"]
        indexes = [models.Index(fields=["objective", "date"])]


class Act(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class AgreementAct(models.Model):
    """One step of agreeing an objective: proposed, agreed, or changes requested (with a
    comment), by whom and when. Never changed or deleted."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="agreement_acts"
    )
    act = models.CharField(max_length=20, choices=Act.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(
        max_length=254,
        help_text=(
            "The user's email; when colead itself acts, 'system' and why, e.g. "
            "'system (cli)', 'system (demo)' (core.actor.Actor.label)."
        ),
    )
    at = models.DateTimeField()

    objects = OrgScopedManager()

    class Meta:
        ordering = ["objective", "at", "id"]

    def __str__(self):
        return f"{self.get_act_display()} by {self.by_label}"


class CoverageSnapshot(models.Model):
    """The coverage figures of an organisation on one day, kept for the trend: coverage
    history cannot be worked out afterwards (alignments and status changes carry no dates).
    One a day: recording again on the same day replaces it
    (``services.record_coverage_snapshot``; ``colead objectives snapshot`` from cron)."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    taken_on = models.DateField()
    taken_at = models.DateTimeField(auto_now=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thicket_limit = models.PositiveSmallIntegerField()
    stale_days = models.PositiveSmallIntegerField()
    # The organisation's figures (colead.direction.coverage.CoverageReport).
    teams = models.PositiveIntegerField()
    teams_covered = models.PositiveIntegerField()
    staff = models.PositiveIntegerField()
    staff_covered = models.PositiveIntegerField()
    objectives = models.PositiveIntegerField()
    orphans = models.PositiveIntegerField()
    thickets = models.PositiveIntegerField()
    stale = models.PositiveIntegerField()
    # Each division's and directorate's figures (GroupCoverage.as_dict()), keyed "u<unit id>"
    # so that one unit's history is one key lookup (a bare number would be read as an
    # array index by the JSON lookups).
    groups = models.JSONField(default=dict, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "taken_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "taken_on"], name="coverage_snapshot_one_a_day"
            )
        ]

    def __str__(self):
        return f"Coverage on {self.taken_on}"

    @staticmethod
    def group_key(unit_id: int) -> str:
        return f"u{unit_id}"


class DirectionRevision(models.Model):
    """A counter of changes to an organisation's objectives, alignments and check-ins,
    raised in the same transaction as each change (``services.note_change``). The loaded
    objectives kept in memory (``facts``) are reused while it stands still. A row lock
    orders the increments, so a reader never sees a later change's number before an
    earlier change is committed."""

    organisation = models.OneToOneField(
        "org.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    revision = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Direction revision {self.revision}"


class QualityPolicy(models.Model):
    """An organisation's rules for judging objectives (colead.direction.quality): how far
    beyond its baseline a target must be to be challenging, how many active objectives make
    a unit a priority thicket, and how long without a check-in makes an objective stale.
    Without a row the code's defaults apply (``queries.quality_settings``); changed only
    through ``services.save_quality_settings``."""

    organisation = models.OneToOneField(
        "org.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    challenge_margin = models.FloatField(default=0.05)  # a fraction of the baseline
    thicket_limit = models.PositiveSmallIntegerField(default=5)
    stale_days = models.PositiveSmallIntegerField(default=60)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return (
            f"Quality rules: margin {self.challenge_margin:.0%}, thicket above "
            f"{self.thicket_limit}, stale after {self.stale_days} days"
        )


# The objective's values that the objectives file carries (colead.direction.imports.COLUMNS),
# as lookups from Objective: read by the import, to compare a file with what is stored, and
# by the export, to write the file.
OBJECTIVE_FILE_FIELDS = (
    "code",
    "title",
    "unit__code",
    "owner__employee_number",
    "measure",
    "baseline",
    "target",
    "direction",
    "due_date",
    "status",
    "elements",
)
