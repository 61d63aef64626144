"""The respondent's pages, mounted at /take/ (namespace "take").

Only take:start carries a token in its URL; every other page finds the token in a cookie.
The fixed paths come first so that no page name is mistaken for a token.
"""

from django.urls import path

from colead.surveys import views_take

app_name = "take"
urlpatterns = [
    path("", views_take.form_start, name="form"),
    path("section/<int:number>/", views_take.section, name="section"),
    path("check/", views_take.check, name="check"),
    path("saved/", views_take.saved, name="saved"),
    path("done/", views_take.done, name="done"),
    path("device/<slug:slug>/", views_take.device, name="device"),
    path("<str:token>/", views_take.start, name="start"),
]
