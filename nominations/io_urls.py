"""Excel import of nominees and export of the ranked summary table."""

from django.urls import path

from . import io_views

app_name = "nominations_io"
urlpatterns = [
    path("", io_views.index, name="index"),
    path("jobs/<int:pk>/", io_views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", io_views.job_progress, name="job_progress"),
    path("<slug:slug>/template/<str:category>/", io_views.download_template, name="template"),
    path("<slug:slug>/units/<int:unit_pk>/import/", io_views.upload, name="upload"),
    path("<slug:slug>/summary/", io_views.export_office, name="export_office"),
    path("<slug:slug>/summary/<int:org_pk>/", io_views.export_quota, name="export_quota"),
]
