import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from colead.accounts.roles import Role
from colead.core.models import OrgScopedManager


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        """The account signing in as ``username``: email addresses are matched without regard
        to case (``Od@demo.test`` is od@demo.test), as mail servers treat them. An exact match
        wins should two accounts differ only in case; otherwise there is no such account."""
        email = (username or "").strip()
        exact = self.filter(email=email).first()
        if exact is not None:
            return exact
        matches = list(self.filter(email__iexact=email)[:2])
        if len(matches) != 1:
            raise self.model.DoesNotExist(f"No single account signs in as {email!r}.")
        return matches[0]

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. Their place in a trust comes from role assignments, and
    optionally a link to their Person record in each organisation."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # Django admin's own flag; organisation admins reach our scoped admin site by role.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleAssignment(models.Model):
    """A role held over a unit subtree (or the whole organisation when unit is blank).
    Roles are stored by stable name; see accounts/roles.py."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        help_text="Blank: the whole organisation.",
    )
    person = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="role_assignments",
        help_text="This user's own record in the organisation, if they are staff there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "unit"], name="role_assignment_unique"
            )
        ]

    def __str__(self):
        scope = self.unit.name if self.unit_id else "whole organisation"
        return f"{self.user} – {self.get_role_display()} – {scope}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for scripts. Only its hash is stored; the raw value is shown once."""

    PREFIX = "colead_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="script")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def generate(cls, *, user, name="script") -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw))
        return token, raw

    @classmethod
    def find_active(cls, raw: str) -> "ApiToken | None":
        if not raw or not raw.startswith(cls.PREFIX):
            return None
        return (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
