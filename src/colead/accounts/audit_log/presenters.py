"""The audit log pages: the filter form, the page's rows and the CSV's (the reads are in
colead.accounts.queries)."""

import json
from datetime import datetime

from django import forms
from django.utils import timezone

from colead.accounts.audit_log.words import action_label, object_type_label
from colead.accounts.names import actor_name
from colead.audit.models import AuditEvent
from colead.lib.spreadsheet import csv_safe

PER_PAGE = 50
CSV_COLUMNS = [
    "created_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip_address",
    "detail",
]
# A spreadsheet treats a cell starting with one of these as a formula.


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Select an action from the list"}
    )
    actor = forms.CharField(required=False, max_length=254)
    date_from = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the ‘from’ date as a date, like 2026-03-31"},
    )
    date_to = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the ‘to’ date as a date, like 2026-03-31"},
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action")] + sorted(
            ((a, action_label(a)) for a in actions), key=lambda choice: choice[1]
        )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return cleaned


def valid_filters(form: AuditFilterForm) -> dict:
    """The form's fields that are valid (a field in error is left out), for the read."""
    return dict(form.cleaned_data) if form.is_bound else {}


def action_items(form: AuditFilterForm) -> list[dict]:
    """Options of the action select, the chosen one selected."""
    chosen = (form.data.get("action") or "") if form.is_bound else ""
    return [
        {"value": value, "text": label, "selected": value == chosen}
        for value, label in form.fields["action"].choices
    ]


def error_list(form: AuditFilterForm) -> list[dict]:
    """The NHS.UK error summary's list: one link per field in error."""
    return [
        {"text": message, "href": f"#{name}"}
        for name, messages in form.errors.items()
        for message in messages
    ]


def short_datetime(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y}, {local:%H:%M:%S}"


def event_rows(events) -> list[dict]:
    return [
        {
            "when": short_datetime(event.created_at),
            # The name for people, plain words for colead itself; the label (an email, a
            # code) stays beside it for an auditor, and is what the filter searches.
            "actor": actor_name(event.actor, event.actor_label),
            "actor_label": event.actor_label,
            "action": event.action,
            "action_text": action_label(event.action),
            "object_type": object_type_label(event.object_type),
            "object_repr": event.object_repr or event.object_id,
            "ip_address": event.ip_address or "",
        }
        for event in events
    ]


def csv_row(event: AuditEvent) -> list[str]:
    return [
        csv_safe(value)
        for value in (
            event.created_at.isoformat(),
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.ip_address or "",
            json.dumps(event.detail, sort_keys=True, ensure_ascii=False),
        )
    ]
