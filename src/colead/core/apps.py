from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "colead.core"
    label = "core"
