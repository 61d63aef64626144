from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "colead.demo"
    label = "demo"
