from django.urls import path

from colead.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("waves/<int:wave_id>/heatmap/", views.heatmap, name="heatmap"),
    path("waves/<int:wave_id>/heatmap/download/", views.heatmap_export, name="heatmap_export"),
]
