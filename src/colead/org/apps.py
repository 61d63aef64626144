from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "colead.org"
    label = "org"
