from django.urls import path

from colead.insights import analysis_views, views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("waves/<int:wave_id>/heatmap/", views.heatmap, name="heatmap"),
    path("waves/<int:wave_id>/heatmap/download/", views.heatmap_export, name="heatmap_export"),
    path("waves/<int:wave_id>/drivers/", analysis_views.drivers, name="drivers"),
    path("waves/<int:wave_id>/reliability/", analysis_views.reliability, name="reliability"),
    path("waves/<int:wave_id>/units/<str:code>/", views.unit, name="unit"),
]
