from django.urls import path

from colead.surveys import views_take

app_name = "take"
urlpatterns = [
    path("<str:token>/", views_take.start, name="start"),
]
