"""Background jobs for surveys (django-tasks): invitation and reminder emails."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from colead.surveys import tokens
from colead.surveys.models import Invitation, Wave, WaveStatus

BATCH = 200


def _link(invitation: Invitation) -> str:
    token = tokens.invitation_token(invitation.pk, invitation.nonce)
    return settings.COLEAD_BASE_URL.rstrip("/") + reverse("take:start", args=[token])


def _message(wave: Wave, invitation: Invitation, *, reminder: bool) -> EmailMessage:
    person = invitation.person
    opening = (
        "A reminder: you have not yet taken part in"
        if reminder
        else "You are invited to take part in"
    )
    closes = f" It closes on {wave.closes_on:%-d %B %Y}." if wave.closes_on else ""
    body = (
        f"Dear {person.first_name},\n\n"
        f"{opening} {wave.title} at {wave.organisation.name}.{closes}\n\n"
        f"Your answers are anonymous: nobody can see who said what, and results are shown only "
        f"for groups of {wave.reporting_threshold} or more people.\n\n"
        f"Start here (this link is personal; please do not forward it):\n{_link(invitation)}\n\n"
        "You can stop at any time and carry on later with the same link.\n"
    )
    return EmailMessage(
        subject=f"{'Reminder: ' if reminder else ''}{wave.title}",
        body=body,
        to=[person.email],
    )


def _send(wave_id: int, *, reminder: bool) -> int:
    wave = Wave.objects.select_related("organisation").get(pk=wave_id)
    if not wave.is_open:
        return 0
    pending = Invitation.objects.filter(wave=wave).exclude(person__email="")
    if reminder:
        # Only people who have not responded; "responded" is all an invitation knows.
        pending = pending.filter(responded=False, sent_at__isnull=False, reminded_at__isnull=True)
    else:
        pending = pending.filter(sent_at__isnull=True)
    sent = 0
    connection = get_connection()
    while True:
        batch = list(pending.select_related("person").order_by("pk")[:BATCH])
        if not batch:
            break
        connection.send_messages([_message(wave, i, reminder=reminder) for i in batch])
        field = "reminded_at" if reminder else "sent_at"
        # Only while the wave is still open: closing erases these times, and a batch sent
        # as the wave closed must not write them back. Stop once it has closed.
        marked = Invitation.objects.filter(
            pk__in=[i.pk for i in batch], wave__status=WaveStatus.OPEN
        ).update(**{field: timezone.now()})
        sent += len(batch)
        if marked < len(batch):
            break
    return sent


@task()
def send_invitations(wave_id: int) -> int:
    return _send(wave_id, reminder=False)


@task()
def send_reminders(wave_id: int) -> int:
    return _send(wave_id, reminder=True)
