"""Staff pages for notices and objections (login required)."""

from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [
    path("", views.index, name="index"),
]
