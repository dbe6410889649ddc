"""Public pages: no login (公示公告, 提出异议, 回执查询)."""

from django.urls import path

from . import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.notice_list, name="notice_list"),
]
