"""Public pages: no login (公示公告, 提出异议, 回执查询)."""

from django.urls import path

from . import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.notice_list, name="notice_list"),
    path("<int:pk>/", public_views.notice_detail, name="notice_detail"),
    path("<int:pk>/objection/", public_views.objection, name="objection"),
    path("receipt/", public_views.receipt_lookup, name="receipt_lookup"),
    path("receipt/<str:code>/", public_views.receipt, name="receipt"),
]
