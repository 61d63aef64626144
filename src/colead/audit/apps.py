from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "colead.audit"
    label = "audit"
