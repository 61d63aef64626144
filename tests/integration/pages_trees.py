"""Building bigger trusts for the page tests: a regular tree of units with people at the
leaves, a leader and a post per unit, in few queries (people are bulk-created)."""

from colead.org.models import LeadershipPost, Person, Unit

LEVELS = ["division", "directorate", "department", "team"]
STAFF_GROUPS = [
    "nursing_midwifery_registered",
    "additional_clinical_services",
    "medical_dental",
    "administrative_clerical",
    "allied_health_professionals",
]
BANDS = ["band_2", "band_3", "band_5", "band_6", "band_7", "consultant"]


def build_tree(organisation, branching, people_per_leaf, *, prefix="B", root=None):
    """Under ``root`` (a new organisation-level unit if None), ``branching[i]`` units at
    each level i; each leaf gets ``people_per_leaf`` people and one leader, each non-leaf
    unit a critical, vacant leadership post. Returns the root unit."""
    if root is None:
        root = Unit.objects.create(
            organisation=organisation,
            code=f"{prefix}-ROOT",
            name=f"{prefix} Trust",
            level="organisation",
        )
    frontier = [root]
    leaves = []
    for depth, count in enumerate(branching):
        next_frontier = []
        for parent in frontier:
            for i in range(count):
                unit = Unit.objects.create(
                    organisation=organisation,
                    parent=parent,
                    code=f"{parent.code}.{i}",
                    name=f"{LEVELS[min(depth, len(LEVELS) - 1)].title()} {parent.code}.{i}",
                    level=LEVELS[min(depth, len(LEVELS) - 1)],
                    site="Main site",
                )
                next_frontier.append(unit)
        if depth < len(branching) - 1:
            LeadershipPost.objects.bulk_create(
                LeadershipPost(
                    organisation=organisation,
                    unit=unit,
                    title=f"Head of {unit.name}",
                    level="senior",
                    is_critical=True,
                )
                for unit in next_frontier
            )
        frontier = next_frontier
    leaves = frontier
    people = []
    for leaf in leaves:
        for i in range(people_per_leaf):
            n = len(people)
            people.append(
                Person(
                    organisation=organisation,
                    primary_unit=leaf,
                    employee_number=f"{prefix}{n:06d}",
                    first_name=f"First{n}",
                    last_name=f"Last{n}",
                    staff_group=STAFF_GROUPS[n % len(STAFF_GROUPS)],
                    band=BANDS[n % len(BANDS)],
                    job_title="Staff Nurse",
                    is_leader=i == 0,
                    leader_flag=i == 0,
                )
            )
    Person.objects.bulk_create(people, batch_size=1000)
    return root
