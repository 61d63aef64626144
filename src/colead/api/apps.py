from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "colead.api"
    label = "colead_api"
