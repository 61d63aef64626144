"""Shared model pieces: the organisation-scoped queryset every tenant model uses."""

from django.db import models


class OrgScopedQuerySet(models.QuerySet):
    """Every query of tenant data goes through ``for_org`` (see docs/architecture.md)."""

    def for_org(self, organisation):
        return self.filter(organisation=organisation)


OrgScopedManager = models.Manager.from_queryset(OrgScopedQuerySet)
