"""Stored scores: each closed wave's respondents, coded once, in a compact binary form.

A wave's answers are scored when it closes (``surveys.services.close_wave``) or when
responses are imported into a closed wave (``surveys.imports.import_responses``), in the
same transaction, by ``insights.services.store_wave_scores``. The results pages, exports and API
read these rows, never the responses' JSON: see ``insights.results``.

``data`` is a NumPy ``.npz`` archive (``insights.storage``): the respondents × items matrix
of answer codes (uint8), each respondent's reporting unit id, and each demographic
breakdown as category indexes with their labels. It holds no response ids, no dates and no
comments, and its rows are in reporting-unit order, so it says nothing about who answered
or in what order (docs/privacy.md).
"""

from django.db import models

from colead.core.models import OrgScopedManager


class WaveScores(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    wave = models.OneToOneField("surveys.Wave", on_delete=models.CASCADE, related_name="scores")
    scored_at = models.DateTimeField()
    respondents = models.PositiveIntegerField()
    items = models.PositiveIntegerField(help_text="Scored items (columns of the code matrix).")
    format = models.PositiveSmallIntegerField(
        default=1, help_text="Layout of ``data`` (insights.storage.FORMAT)."
    )
    data = models.BinaryField()

    objects = OrgScopedManager()

    class Meta:
        verbose_name = "wave scores"
        verbose_name_plural = "wave scores"

    def __str__(self):
        return f"Scores of wave {self.wave_id} ({self.respondents:,} respondents)"
