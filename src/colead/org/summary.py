"""Counts of an organisation's structure and workforce, in a fixed number of queries."""

from django.db.models import Count, Q

from colead.org import reference
from colead.org.models import LeadershipPost, Organisation, Person, Unit, UnitLevel


def organisation_summary(organisation: Organisation) -> dict:
    people = Person.objects.for_org(organisation).current()
    units = Unit.objects.for_org(organisation).filter(is_active=True)
    units_by_level = dict(
        units.values_list("level").annotate(n=Count("id")).values_list("level", "n")
    )
    by_group = dict(
        people.values_list("staff_group").annotate(n=Count("id")).values_list("staff_group", "n")
    )
    by_band = dict(people.values_list("band").annotate(n=Count("id")).values_list("band", "n"))
    posts = LeadershipPost.objects.for_org(organisation).aggregate(
        filled=Count("id", filter=Q(holder__isnull=False)),
        vacant=Count("id", filter=Q(holder__isnull=True)),
        critical_vacant=Count("id", filter=Q(holder__isnull=True, is_critical=True)),
    )
    return {
        "organisation": organisation.code,
        "name": organisation.name,
        "people_total": sum(by_group.values()),
        "units_total": sum(units_by_level.values()),
        "units_by_level": {level: units_by_level.get(level, 0) for level in UnitLevel.values},
        "people_by_staff_group": {
            group.display_name: by_group[group.code]
            for group in reference.staff_groups()
            if group.code in by_group
        },
        "people_by_band": {
            band.name: by_band[band.code] for band in reference.bands() if band.code in by_band
        },
        "leaders": people.filter(is_leader=True).count(),
        "leadership_posts": posts,
    }


def home_summary(organisation: Organisation) -> dict:
    summary = organisation_summary(organisation)
    return {
        "people_total": summary["people_total"],
        "units_total": summary["units_total"],
        "teams": summary["units_by_level"]["team"],
        "leaders": summary["leaders"],
        "posts_vacant": summary["leadership_posts"]["vacant"],
        "posts_filled": summary["leadership_posts"]["filled"],
    }
