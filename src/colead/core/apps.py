from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    """After `colead migrate`, make the database cache's table if the settings use one
    (production does by default), so that the rate limits never meet a missing table."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class CoreConfig(AppConfig):
    name = "colead.core"
    label = "core"

    def ready(self):
        from colead.core import checks  # noqa: F401 - registers colead's system checks

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="colead-cache-table")
