from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("chain/", views.chain_status, name="chain"),
]
