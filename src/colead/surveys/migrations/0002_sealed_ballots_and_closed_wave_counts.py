"""Ballots sealed and with random ids; closed waves keep counts, not who responded.

Ballots move to a new table (a random UUID cannot replace an integer key in place on every
database), sealing any open wave's existing ballots on the way. Waves closed before this
migration have their invitations' responded flags and email times erased, their counts kept
in WaveResponseCount, as closing now does."""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q

import colead.surveys.sealing


def seal_existing_ballots(apps, schema_editor):
    OldBallot = apps.get_model("surveys", "Ballot")
    SealedBallot = apps.get_model("surveys", "SealedBallot")
    batch = []
    for ballot in OldBallot.objects.order_by("?").iterator(chunk_size=2000):
        batch.append(
            SealedBallot(
                id=uuid.uuid4(),
                wave_id=ballot.wave_id,
                reporting_unit_id=ballot.reporting_unit_id,
                submitted_on=ballot.submitted_on,
                sealed={
                    "demographics": ballot.demographics or {},
                    "answers": ballot.answers or {},
                    "comments": ballot.comments or {},
                },
                source=ballot.source,
            )
        )
        if len(batch) >= 2000:
            SealedBallot.objects.bulk_create(batch)
            batch = []
    SealedBallot.objects.bulk_create(batch)


def erase_closed_waves_respondents(apps, schema_editor):
    Wave = apps.get_model("surveys", "Wave")
    Invitation = apps.get_model("surveys", "Invitation")
    WaveResponseCount = apps.get_model("surveys", "WaveResponseCount")
    for wave_id in Wave.objects.filter(status="closed").values_list("id", flat=True):
        invitations = Invitation.objects.filter(wave_id=wave_id)
        WaveResponseCount.objects.bulk_create(
            WaveResponseCount(
                wave_id=wave_id,
                reporting_unit_id=row["reporting_unit_id"],
                staff_group=row["staff_group"],
                invited=row["invited"],
                responded=row["responded"],
            )
            for row in invitations.values("reporting_unit_id", "staff_group")
            .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded=True)))
            .order_by()
        )
        invitations.update(responded=False, sent_at=None, reminded_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealedBallot",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("submitted_on", models.DateField()),
                (
                    "sealed",
                    colead.surveys.sealing.SealedJSONField(
                        default=dict, help_text="Demographics, answers and comments, encrypted."
                    ),
                ),
                ("source", models.CharField(max_length=10)),
                (
                    "reporting_unit",
                    models.ForeignKey(
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
        migrations.RunPython(seal_existing_ballots, migrations.RunPython.noop),
        migrations.DeleteModel(name="Ballot"),
        migrations.RenameModel(old_name="SealedBallot", new_name="Ballot"),
        migrations.AlterField(
            model_name="ballot",
            name="wave",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="ballots",
                to="surveys.wave",
            ),
        ),
        migrations.CreateModel(
            name="WaveResponseCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("staff_group", models.CharField(max_length=40)),
                ("invited", models.PositiveIntegerField()),
                ("responded", models.PositiveIntegerField()),
                (
                    "reporting_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.unit",
                    ),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="response_counts",
                        to="surveys.wave",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("wave", "reporting_unit", "staff_group"),
                        name="wave_response_count_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(erase_closed_waves_respondents, migrations.RunPython.noop),
    ]
