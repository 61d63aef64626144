from django.urls import path

from colead.insights.views import analysis, results

app_name = "insights"
urlpatterns = [
    path("", results.index, name="index"),
    path("waves/<int:wave_id>/heatmap/", results.heatmap, name="heatmap"),
    path("waves/<int:wave_id>/heatmap/download/", results.heatmap_export, name="heatmap_export"),
    path("waves/<int:wave_id>/drivers/", analysis.drivers, name="drivers"),
    path("waves/<int:wave_id>/reliability/", analysis.reliability, name="reliability"),
    path("waves/<int:wave_id>/units/<str:code>/", results.unit, name="unit"),
]
