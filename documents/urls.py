from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "pdf|docx|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    # One nominee's forms (nominations.permissions.can_view: 404 for anyone else).
    path("nomination/<int:pk>/", views.nomination, name="nomination"),
    path("nomination/<int:pk>/<slug:form>.<fmt:ext>", views.nomination_file, name="nomination_file"),
    # A submitter's package (its screeners and the office).
    path("c/<slug:slug>/quota/<int:quota_pk>/", views.package, name="package"),
    path("c/<slug:slug>/quota/<int:quota_pk>/summary.<fmt:ext>", views.package_summary, name="package_summary"),
    path("c/<slug:slug>/quota/<int:quota_pk>/contact.docx", views.package_contact, name="package_contact"),
    path("c/<slug:slug>/quota/<int:quota_pk>/batch/", views.package_batch, name="package_batch"),
    # The office (those who hold the campaign's root).
    path("c/<slug:slug>/office/", views.office, name="office"),
    path("c/<slug:slug>/office/summary.<fmt:ext>", views.office_summary, name="office_summary"),
    path("c/<slug:slug>/office/decision.<fmt:ext>", views.office_decision, name="office_decision"),
    path("c/<slug:slug>/office/batch/", views.office_batch, name="office_batch"),
    # Batches: a progress page polled with htmx, and the ZIP.
    path("batch/<int:pk>/", views.batch, name="batch"),
    path("batch/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("batch/<int:pk>/download/", views.batch_download, name="batch_download"),
    # Notices: staff (a scheduled one too) and the public (published ones, no login).
    path("notice/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("public/notice/<int:pk>.pdf", views.public_notice_pdf, name="public_notice_pdf"),
]
