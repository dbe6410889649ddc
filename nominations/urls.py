from django.urls import path

from . import views

app_name = "nominations"
urlpatterns = [
    path("", views.index, name="index"),
    # One nomination (access_nomination: 404 for anyone outside the tree).
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/justify/", views.justify, name="justify"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    # 查看完整号码 (POST, audited).
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    # Unit staff, per campaign and unit.
    path("c/<slug:slug>/u/<int:unit_pk>/", views.unit_desk, name="unit_desk"),
    path("c/<slug:slug>/u/<int:unit_pk>/new/<str:category>/", views.create, name="create"),
    path("c/<slug:slug>/u/<int:unit_pk>/procedures/", views.unit_procedures, name="unit_procedures"),
    path("c/<slug:slug>/u/<int:unit_pk>/procedures/<int:pk>/minutes/", views.procedure_minutes, name="procedure_minutes"),
    path("c/<slug:slug>/u/<int:unit_pk>/ranking/", views.unit_ranking, name="unit_ranking"),
    # District / department reviewers, per quota they hold.
    path("screening/<int:quota_id>/", views.screening_queue, name="screening_queue"),
    path("screening/<int:quota_id>/progress/", views.quota_progress, name="quota_progress"),
    path("screening/<int:quota_id>/ranking/<str:category>/", views.screening_ranking, name="screening_ranking"),
    path("screening/<int:quota_id>/<int:pk>/consultations/", views.consultations, name="consultations"),
    path(
        "screening/<int:quota_id>/<int:pk>/consultations/<str:department>/form/",
        views.consultation_form_file, name="consultation_form_file",
    ),
]
