"""API tokens for scripts: ``colead token create|list|revoke``.

Only a token's hash is stored; ``create`` prints the raw token once, alone on its last
line, so a script can capture it with ``colead token create --user EMAIL | tail -n 1``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from colead.accounts import services
from colead.accounts.models import User
from colead.core.actor import Actor
from colead.lib.errors import ColeadError, Conflict, Invalid

CLI = Actor.system("cli")


class Command(BaseCommand):
    help = "Create, list and revoke API tokens (Authorization: Bearer colead_...)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Create a token and print it once.")
        create.add_argument("--user", required=True, metavar="EMAIL", help="Whose token.")
        create.add_argument(
            "--name", default="script", help="What the token is for (default: script)."
        )
        listing = actions.add_parser("list", help="List a user's tokens (never their values).")
        listing.add_argument("--user", required=True, metavar="EMAIL")
        revoke = actions.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("id", type=int, metavar="ID")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _user(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with email {email!r}.")
        return user

    def _create(self, *, user, name, **options):
        owner = self._user(user)
        try:
            token, raw = services.create_api_token(user=owner, name=name, actor=CLI)
        except Invalid as error:
            raise CommandError(f"--name: {error.errors['name']}") from None
        except ColeadError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created API token {token.pk} ({token.name}) for {owner.email}.")
        self.stdout.write("This is the only time it is shown; store it somewhere safe:")
        self.stdout.write(raw)

    def _list(self, *, user, **options):
        owner = self._user(user)
        tokens = list(owner.api_tokens.order_by("created_at", "pk"))
        if not tokens:
            self.stdout.write(f"{owner.email} has no API tokens.")
            return
        self.stdout.write(f"{'ID':>6}  {'NAME':<30} {'CREATED':<17} {'LAST USED':<17} STATUS")
        for token in tokens:
            status = f"revoked {_when(token.revoked_at)}" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.pk:>6}  {token.name[:30]:<30} {_when(token.created_at):<17} "
                f"{_when(token.last_used_at) or 'never':<17} {status}"
            )

    def _revoke(self, *, id, **options):
        try:
            token = services.revoke_api_token(token_id=id, actor=CLI)
        except Conflict as error:
            self.stdout.write(str(error))  # nothing to do: not a failure
            return
        except ColeadError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Revoked API token {id} ({token.name}) of {token.user.email}.")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
