from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "colead.insights"
    label = "insights"
    verbose_name = "Insights (survey results)"

    def ready(self):
        from colead.insights import receivers
        from colead.surveys.signals import responses_final

        responses_final.connect(
            receivers.score_final_responses, dispatch_uid="insights.score_final_responses"
        )
