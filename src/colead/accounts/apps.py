from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "colead.accounts"
    label = "accounts"
