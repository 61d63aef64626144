from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "colead.home"
    label = "home"
