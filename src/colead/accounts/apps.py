from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "colead.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from colead.accounts import throttle

        user_login_failed.connect(throttle.count_failure, dispatch_uid="colead-sign-in-failures")
