from django.urls import path

from colead.accounts import passwords, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        passwords.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/set/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/set/done/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
