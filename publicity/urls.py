"""Staff pages for notices and objections (login required)."""

from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [
    path("", views.index, name="index"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/correct/", views.notice_correct, name="notice_correct"),
    path("open/<slug:slug>/<str:scope>/", views.notice_open, name="notice_open"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("objections/<int:pk>/attachment/", views.objection_attachment, name="objection_attachment"),
    path("reminders/", views.notifications, name="notifications"),
    path("failures/", views.failures, name="failures"),
    path("failures/<int:pk>/resolve/", views.failure_resolve, name="failure_resolve"),
]
