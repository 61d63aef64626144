from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "colead.surveys"
    label = "surveys"

    def ready(self):
        # `colead import KIND`: each app registers its own kinds, so org imports no app above it.
        from colead.surveys.import_kinds import register_kinds

        register_kinds()
