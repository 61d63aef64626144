"""The trust's structure and its people."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from colead.core.models import OrgScopedManager, OrgScopedQuerySet
from colead.lib import tree
from colead.org import reference

ORG_CODE_RE = re.compile(r"^[A-Z0-9]{3,10}$")
UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


class Sector(models.TextChoices):
    ACUTE = "acute", "Acute"
    MENTAL_HEALTH = "mental_health", "Mental health"
    COMMUNITY = "community", "Community"
    AMBULANCE = "ambulance", "Ambulance"
    ICB = "icb", "Integrated care board"
    OTHER = "other", "Other"


class UnitLevel(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    DIVISION = "division", "Division"
    DIRECTORATE = "directorate", "Directorate"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"


class Organisation(models.Model):
    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(ORG_CODE_RE, "Use 3 to 10 capital letters or digits.")],
        help_text="Like an ODS code: 3 to 10 capital letters or digits.",
    )
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    # The leadership line: who counts as a leader besides those flagged explicitly.
    leadership_band_threshold = models.CharField(
        max_length=20,
        blank=True,
        help_text="People at or above this band count as leaders (blank: no band rule).",
    )
    post_holders_are_leaders = models.BooleanField(
        default=True, help_text="Holders of leadership posts count as leaders."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def root_unit(self):
        return self.units.filter(parent__isnull=True).order_by("id").first()


class UnitQuerySet(OrgScopedQuerySet):
    def subtree(self, unit, *, include_self=True):
        """The unit and every unit below it, in one query (materialised path)."""
        qs = self.filter(organisation_id=unit.organisation_id, path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class Unit(models.Model):
    """A node in the organisation's structure. ``path`` is the materialised path of
    zero-padded ids ("/00000001/00000007/"), so a subtree is one indexed prefix query."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(max_length=20, choices=UnitLevel.choices)
    site = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=400, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="unit_code_unique_per_org"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @staticmethod
    def path_segment(pk: int) -> str:
        return f"{pk:08d}/"

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return prefix + self.path_segment(self.pk)

    def save(self, *args, **kwargs):
        if self.parent_id and self.parent.organisation_id != self.organisation_id:
            raise ValidationError("A unit's parent must belong to the same organisation.")
        if not self.pk:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        self.path = self.compute_path()
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)

    def is_within(self, other: "Unit") -> bool:
        same_organisation = self.organisation_id == other.organisation_id
        return same_organisation and tree.is_within(self.path, other.path)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self):
        """Root first, including self."""
        return Unit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")


class PersonQuerySet(OrgScopedQuerySet):
    def current(self):
        return self.filter(leaving_date__isnull=True)

    def in_subtree(self, unit):
        return self.filter(
            organisation_id=unit.organisation_id, primary_unit__path__startswith=unit.path
        )


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    employee_number = models.CharField(max_length=30)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    primary_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people")
    teams = models.ManyToManyField(
        Unit, through="TeamMembership", related_name="team_members", blank=True
    )
    staff_group = models.CharField(max_length=40)
    band = models.CharField(max_length=30)
    job_title = models.CharField(max_length=200, blank=True)
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    start_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    # Flagged as a leader in the workforce file; is_leader also counts the leadership line.
    leader_flag = models.BooleanField(default=False)
    is_leader = models.BooleanField(default=False, db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee_number"], name="employee_number_unique_per_org"
            )
        ]
        indexes = [models.Index(fields=["organisation", "leaving_date"])]

    def __str__(self):
        return f"{self.full_name} ({self.employee_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def staff_group_name(self) -> str:
        return reference.staff_group_name(self.staff_group)

    @property
    def band_name(self) -> str:
        return reference.band_name(self.band)

    @property
    def is_current(self) -> bool:
        return self.leaving_date is None


class TeamMembership(models.Model):
    """Further teams a person works in, besides their primary unit."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="team_membership_unique")
        ]


class ProtectedCharacteristics(models.Model):
    """Kept apart from Person: used only by threshold-protected aggregate analyses, and
    shown on a person page only to that person and organisation admins (audited)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="protected"
    )
    ethnicity = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=50, blank=True)
    disability = models.CharField(max_length=50, blank=True)
    age_band = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name_plural = "protected characteristics"

    def as_dict(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in reference.PROTECTED_FIELDS}


class PostLevel(models.TextChoices):
    BOARD = "board", "Board"
    EXECUTIVE = "executive", "Executive"
    SENIOR = "senior", "Senior"
    MIDDLE = "middle", "Middle"
    FIRST_LINE = "first_line", "First-line"


class LeadershipPost(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="leadership_posts"
    )
    title = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=PostLevel.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="leadership_posts")
    holder = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    is_interim = models.BooleanField(default=False, help_text="Interim rather than substantive.")
    is_critical = models.BooleanField(default=False)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["unit__path", "title"]

    def __str__(self):
        return self.title

    @property
    def is_vacant(self) -> bool:
        return self.holder_id is None


class ImportKind(models.TextChoices):
    UNITS = "units", "Units"
    WORKFORCE = "workforce", "Workforce"


class ImportRun(models.Model):
    """One applied import: what file, who, and what it changed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    leavers = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]


class PersonChange(models.Model):
    """History of a person's record: each import that added, changed or ended it."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        UPDATED = "updated", "Updated"
        LEFT = "left", "Left"
        RETURNED = "returned", "Returned"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes")
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # {"field": [old, new]} for updates; protected characteristics are never recorded here.
    fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PendingUpload(models.Model):
    """A file uploaded on the web, held between its preview and the admin's confirmation.

    A large file is held before it is checked: a background job (org.tasks.check_upload)
    checks it, recording its progress here for the page to show, then either keeps the
    result for the preview or the problems (and the file is deleted once they are shown).
    """

    class State(models.TextChoices):
        CHECKING = "checking", "Being checked"
        READY = "ready", "Checked"
        REJECTED = "rejected", "Has problems"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY)
    rows_read = models.PositiveIntegerField(default=0)
    rows_expected = models.PositiveIntegerField(null=True, blank=True)
    # A background check's outcome: the preview's figures, or the problems found.
    outcome = models.JSONField(null=True, blank=True)

    objects = OrgScopedManager()


def people_in_unit_q(unit) -> Q:
    return Q(organisation_id=unit.organisation_id, primary_unit__path__startswith=unit.path)
