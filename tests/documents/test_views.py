"""Downloads: who may fetch what, PDF inline, DOCX/XLSX/ZIP as attachments, the batch page polled with htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import DocumentBatch
from publicity.models import Notice, Scope

pytestmark = pytest.mark.django_db


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_nomination_pdf_opens_inline_and_docx_downloads(client, package, users):
    nom = package["first"]
    response = get(client, users["district_yubei"], reverse("documents:nomination_file", args=[nom.pk, "approval", "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(reverse("documents:nomination_file", args=[nom.pk, "consultation", "docx"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert "wordprocessingml" in response["Content-Type"]


@pytest.mark.parametrize(
    ("username", "status"),
    [("unit_yubei", 200), ("district_yubei", 200), ("office", 200), ("district_spb", 404), ("dept_market", 404),
     ("unit_police", 404)],
)
def test_nomination_forms_follow_can_view(client, package, users, username, status):
    url = reverse("documents:nomination_file", args=[package["first"].pk, "approval", "docx"])
    assert get(client, users[username], url).status_code == status


def test_unknown_form_or_format_is_404(client, package, users):
    client.force_login(users["office"])
    assert client.get(f"/documents/nomination/{package['first'].pk}/approval.xlsx").status_code == 404
    assert client.get(f"/documents/nomination/{package['first'].pk}/minutes.pdf").status_code == 404


@pytest.mark.parametrize(("username", "status"), [("district_yubei", 200), ("office", 200), ("district_spb", 404),
                                                  ("unit_yubei", 404)])
def test_package_summary_for_its_screeners_and_the_office(client, package, users, username, status):
    url = reverse("documents:package_summary", args=["cq-demo", package["quota"].pk, "xlsx"])
    response = get(client, users[username], url)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")


def test_package_page_lists_the_ranked_nominees(client, package, users):
    response = get(client, users["district_yubei"], reverse("documents:package", args=["cq-demo", package["quota"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("周明远") < html.index("林雨桐")
    assert "<script>" not in html and "onclick" not in html


@pytest.mark.parametrize(("username", "status"), [("office", 200), ("district_yubei", 404)])
def test_decision_for_the_office_only(client, package, users, username, status):
    assert get(client, users[username], reverse("documents:office_decision", args=["cq-demo", "docx"])).status_code == status


def test_batch_request_redirects_to_a_progress_page_polled_with_htmx(client, package, users):
    client.force_login(users["district_yubei"])
    response = client.post(reverse("documents:package_batch", args=["cq-demo", package["quota"].pk]))
    batch = DocumentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:batch", args=[batch.pk])
    html = client.get(response["Location"]).content.decode()
    assert f'hx-get="{reverse("documents:batch_progress", args=[batch.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html and "<progress" in html and "排队" in html
    assert "<script>" not in html
    services.build_batch(batch.pk)
    partial = client.get(reverse("documents:batch_progress", args=[batch.pk])).content.decode()
    assert "hx-get" not in partial and "15 / 15" in partial and "下载压缩包" in partial
    download = client.get(reverse("documents:batch_download", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    batch.refresh_from_db()
    assert batch.downloaded_at is not None


def test_another_district_cannot_see_the_batch(client, package, users):
    batch = services.request_batch(campaign=package["quota"].campaign, quota=package["quota"], actor=users["district_yubei"])
    client.force_login(users["district_spb"])
    for name in ("documents:batch", "documents:batch_progress", "documents:batch_download"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404


def _notice(package, users, status):
    quota = package["quota"]
    opens = timezone.now() - dt.timedelta(days=1)
    return Notice.objects.create(
        campaign=quota.campaign, scope=Scope.DISTRICT, issuer=quota.organisation, title="渝北区推荐对象公示", intro="现予公示。",
        how_to_object="书面实名反映。", contact="023-67000000", working_days=5, opens_at=opens,
        closes_at=opens + dt.timedelta(days=7), status=status, opened_by=users["district_yubei"],
    )


def test_public_notice_pdf_for_anyone_but_not_before_it_opens(client, package, users):
    published = _notice(package, users, Notice.Status.OPEN)
    scheduled = _notice(package, users, Notice.Status.SCHEDULED)
    response = client.get(reverse("documents:public_notice_pdf", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert client.get(reverse("documents:public_notice_pdf", args=[scheduled.pk])).status_code == 404
    # Staff of the issuing district see the scheduled one (to check it before it opens); others do not.
    assert get(client, users["district_yubei"], reverse("documents:notice_pdf", args=[scheduled.pk])).status_code == 200
    assert get(client, users["district_spb"], reverse("documents:notice_pdf", args=[scheduled.pk])).status_code == 404


def test_index_shows_each_user_their_documents(client, package, users):
    html = get(client, users["district_yubei"], reverse("documents:index")).content.decode()
    assert reverse("documents:package", args=["cq-demo", package["quota"].pk]) in html
    html = get(client, users["unit_yubei"], reverse("documents:index")).content.decode()
    assert reverse("documents:nomination", args=[package["first"].pk]) in html
    html = get(client, users["office"], reverse("documents:index")).content.decode()
    assert reverse("documents:office", args=["cq-demo"]) in html
