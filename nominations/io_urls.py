"""Excel import of nominees and export of the ranked summary table."""

from django.urls import path

app_name = "nominations_io"
urlpatterns: list = []
