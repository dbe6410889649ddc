"""Every document handed out leaves one audit row: who, what (the nomination or campaign), which form and format."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.log import Action
from audit.models import AuditEvent
from documents import services
from documents.models import DocumentBatch

pytestmark = pytest.mark.django_db


def test_downloading_a_form_writes_exactly_one_audit_row(client, package, users):
    nom, user = package["first"], users["district_yubei"]
    client.force_login(user)
    before = AuditEvent.objects.count()
    response = client.get(reverse("documents:nomination_file", args=[nom.pk, "approval", "docx"]))
    assert response.status_code == 200
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert len(rows) == 1
    row = rows[0]
    assert (row.action, row.user_id_value, row.username) == (Action.DOWNLOAD, user.pk, "district_yubei")
    assert (row.object_type, row.object_id) == ("nominations.nomination", str(nom.pk))
    assert row.detail == {"form": "approval", "format": "docx"}
    assert nom.id_number not in str(row.detail) and nom.phone not in str(row.detail)


def test_a_refused_download_writes_no_row(client, package, users):
    client.force_login(users["district_spb"])
    before = AuditEvent.objects.count()
    url = reverse("documents:nomination_file", args=[package["first"].pk, "consultation", "pdf"])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.count() == before


def test_summary_download_names_the_campaign(client, package, users):
    client.force_login(users["office"])
    before = AuditEvent.objects.count()
    quota = package["quota"]
    assert client.get(reverse("documents:package_summary", args=["cq-demo", quota.pk, "xlsx"])).status_code == 200
    (row,) = AuditEvent.objects.order_by("id")[before:]
    assert (row.action, row.username, row.object_type, row.object_id) == (
        Action.DOWNLOAD, "office", "awards.campaign", str(quota.campaign_id))
    assert row.detail == {"form": "summary", "format": "xlsx", "quota": quota.pk}


def test_a_batch_zip_download_is_an_export(client, package, users):
    quota, user = package["quota"], users["district_yubei"]
    batch = services.request_batch(campaign=quota.campaign, quota=quota, actor=user)
    batch.file.save("package.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)  # an empty ZIP: built elsewhere
    DocumentBatch.objects.filter(pk=batch.pk).update(file=batch.file.name, status=DocumentBatch.Status.DONE)
    client.force_login(user)
    before = AuditEvent.objects.count()
    response = client.get(reverse("documents:batch_download", args=[batch.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    (row,) = AuditEvent.objects.order_by("id")[before:]
    assert (row.action, row.user_id_value, row.object_type, row.object_id) == (
        Action.EXPORT, user.pk, "awards.campaign", str(quota.campaign_id))
    assert row.detail == {"form": "batch", "format": "zip", "batch": batch.pk, "scope": "quota", "quota": quota.pk}
