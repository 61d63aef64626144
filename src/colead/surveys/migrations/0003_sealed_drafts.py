"""Drafts sealed and with random ids, as ballots are: an unfinished form's answers are not
readable from the database, and draft ids do not give the order people started in.

Drafts move to a new table (a random UUID cannot replace an integer key in place on every
database), sealed on the way, so nobody part-way through a form loses their answers."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import colead.surveys.sealing


def seal_existing_drafts(apps, schema_editor):
    OldDraft = apps.get_model("surveys", "Draft")
    SealedDraft = apps.get_model("surveys", "SealedDraft")
    batch = []
    for draft in OldDraft.objects.order_by("?").iterator(chunk_size=2000):
        batch.append(
            SealedDraft(
                id=uuid.uuid4(),
                key_digest=draft.key_digest,
                wave_id=draft.wave_id,
                reporting_unit_id=draft.reporting_unit_id,
                answers=draft.answers or {},
                submitted=draft.submitted,
                updated_on=draft.updated_on,
            )
        )
        if len(batch) >= 2000:
            SealedDraft.objects.bulk_create(batch)
            batch = []
    SealedDraft.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("surveys", "0002_sealed_ballots_and_closed_wave_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealedDraft",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("key_digest", models.CharField(max_length=64)),
                (
                    "answers",
                    colead.surveys.sealing.SealedJSONField(
                        default=dict, help_text="Answers so far, encrypted."
                    ),
                ),
                ("submitted", models.BooleanField(default=False)),
                ("updated_on", models.DateField(auto_now=True)),
                (
                    "reporting_unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.unit",
                    ),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="surveys.wave",
                    ),
                ),
            ],
        ),
        migrations.RunPython(seal_existing_drafts, migrations.RunPython.noop),
        migrations.DeleteModel(name="Draft"),
        migrations.RenameModel(old_name="SealedDraft", new_name="Draft"),
        # Unique only now, so the index is named for the table it ends up in.
        migrations.AlterField(
            model_name="draft",
            name="key_digest",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
