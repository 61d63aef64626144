from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "colead.surveys"
    label = "surveys"
