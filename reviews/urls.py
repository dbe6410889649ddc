from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    # 领导小组办公室 (404 for anyone else).
    path("<slug:slug>/", views.office, name="office"),
    path("<slug:slug>/stages/<str:key>/<str:action>/", views.stage_action, name="stage_action"),
    path("<slug:slug>/initial/", views.initial, name="initial"),
    path("<slug:slug>/initial/<int:pk>/police-form/", views.police_form_file, name="police_form"),
    path("<slug:slug>/comprehensive/", views.comprehensive, name="comprehensive"),
    path("<slug:slug>/comprehensive/export.xlsx", views.comprehensive_export, name="comprehensive_export"),
    path("<slug:slug>/meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("<slug:slug>/re-review/", views.re_review, name="re_review"),
    path("<slug:slug>/decision/", views.decision, name="decision"),
    path("<slug:slug>/decision/document/", views.decision_document, name="decision_document"),
    path("<slug:slug>/decision/export.xlsx", views.final_export, name="final_export"),
    path("<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    # 领导小组成员.
    path("<slug:slug>/vote/", views.vote, name="vote"),
    # 区县知识产权局 / 市级部门: their own nominees only.
    path("<slug:slug>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/feedback/<int:pk>/materials/", views.materials, name="materials"),
    # A formal material: the office, or the district that sent it.
    path("<slug:slug>/materials/<int:pk>/", views.material_file, name="material_file"),
]
