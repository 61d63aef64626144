from django.apps import AppConfig


class DirectionConfig(AppConfig):
    name = "colead.direction"
    label = "direction"
    verbose_name = "Direction: vision and objectives"
