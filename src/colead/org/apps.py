from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "colead.org"
    label = "org"

    def ready(self):
        # `colead import KIND`: each app registers its own kinds, so org imports no app above it.
        from colead.org.import_kinds import register_kinds

        register_kinds()
