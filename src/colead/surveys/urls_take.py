"""The respondent's pages, mounted at /take/ (namespace "take").

Only take:start carries a token in its URL; every other page finds the token in a cookie.
The fixed paths come first so that no page name is mistaken for a token.
"""

from django.urls import path

from colead.surveys.views import take

app_name = "take"
urlpatterns = [
    path("", take.form_start, name="form"),
    path("section/<int:number>/", take.section, name="section"),
    path("check/", take.check, name="check"),
    path("saved/", take.saved, name="saved"),
    path("done/", take.done, name="done"),
    path("device/<slug:slug>/", take.device, name="device"),
    path("<str:token>/", take.start, name="start"),
]
