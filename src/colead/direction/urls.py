from django.urls import path

from colead.direction import views

app_name = "direction"
urlpatterns = [
    path("", views.thread, name="thread"),
    path("mine/", views.mine, name="mine"),
    path("units/<str:code>/", views.unit_objectives, name="unit"),
    path("objectives/<str:code>/", views.objective_detail, name="objective"),
    path("objectives/<str:code>/acts/", views.objective_act, name="act"),
    path("objectives/<str:code>/check-ins/", views.objective_check_in, name="check_in"),
]
