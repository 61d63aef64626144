from django.urls import path

from colead.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.wave_list, name="wave_list"),
]
