from django.urls import path

from colead.home import views

app_name = "home"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("to-do/", views.to_do, name="to_do"),
    path("organisation/choose/", views.choose_organisation, name="choose_organisation"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
]
