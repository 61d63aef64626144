from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "colead.insights"
    label = "insights"
    verbose_name = "Insights (survey results)"
