from django.apps import AppConfig


class DirectionConfig(AppConfig):
    name = "colead.direction"
    label = "direction"
    verbose_name = "Direction: vision and objectives"

    def ready(self):
        # `colead import KIND`: each app registers its own kinds, so org imports no app above it.
        from colead.direction.import_kinds import register_kinds

        register_kinds()
