"""Districts and departments: feedback on their own nominees only, and the formal materials."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from awards.models import Stage, StageKey
from core.demo import LIVE_SLUG
from reviews import services
from reviews.models import FormalMaterial, Review

from .helpers import PDF, SPECS, start_initial, through_comprehensive, through_feedback

pytestmark = pytest.mark.django_db
FEEDBACK = reverse("reviews:feedback", args=[LIVE_SLUG])


def materials_url(review):
    return reverse("reviews:materials", args=[LIVE_SLUG, review.pk])


def _review(nom):
    return Review.objects.get(nomination=nom)


def jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (200, 280), (200, 200, 200)).save(buf, "JPEG")
    return buf.getvalue()


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (200, 280), (200, 200, 200)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def proposed(campaign, users, forwarded, members):
    noms = forwarded(SPECS[:3])
    through_comprehensive(campaign, users["office"], members)
    for n in noms:
        n.refresh_from_db()
    return noms


def test_district_sees_only_its_own_nominees(client, users, proposed):
    client.force_login(users["district_yubei"])

    body = client.get(FEEDBACK).content.decode()

    assert proposed[0].display_name in body and proposed[1].display_name in body  # 渝北区
    assert proposed[2].display_name not in body  # 沙坪坝区
    client.force_login(users["district_spb"])
    body = client.get(FEEDBACK).content.decode()
    assert proposed[2].display_name in body
    assert proposed[0].display_name not in body and proposed[1].display_name not in body


def test_results_are_fed_back_once_the_stages_have_closed(client, campaign, users, forwarded):
    noms = forwarded(SPECS[:1])
    start_initial(campaign, users["office"])
    client.force_login(users["district_yubei"])

    before = client.get(FEEDBACK).content.decode()

    assert "初审进行中" in before
    assert noms[0].display_name in before


def test_feedback_shows_initial_outcome_and_the_proposed_list(client, users, proposed):
    client.force_login(users["district_yubei"])

    body = client.get(FEEDBACK).content.decode()

    assert body.count('data-testid="initial">通过<') == 2
    assert body.count('data-testid="proposed">列入拟表彰名单<') == 2
    assert f"{reverse('publicity:notice_open', args=[LIVE_SLUG, 'district'])}?quota=" in body
    assert materials_url(_review(proposed[0])) in body


def test_another_districts_nominee_is_404(client, users, proposed):
    client.force_login(users["district_yubei"])

    assert client.get(materials_url(_review(proposed[2]))).status_code == 404


@pytest.fixture
def materials_open(campaign, users, proposed):
    through_feedback(campaign, users["office"], proposed)
    return proposed


def _upload(client, review, content, name="form.pdf", kind="approval_form", copies=3):
    return client.post(materials_url(review), {"kind": kind, "copies": copies, "file": SimpleUploadedFile(name, content)})


def test_district_uploads_a_pdf_approval_form(client, users, materials_open):
    client.force_login(users["district_yubei"])
    review = _review(materials_open[0])

    response = _upload(client, review, PDF)

    assert response.status_code == 302
    material = FormalMaterial.objects.get(review=review)
    assert (material.kind, material.copies, material.uploaded_by) == ("approval_form", 3, users["district_yubei"])
    assert material.file.name.endswith(".pdf")
    page = client.get(materials_url(review)).content.decode()
    assert "推荐审批表 · 3份" in page
    download = client.get(reverse("reviews:material_file", args=[LIVE_SLUG, material.pk]))
    assert download.status_code == 200
    client.force_login(users["district_spb"])
    assert client.get(reverse("reviews:material_file", args=[LIVE_SLUG, material.pk])).status_code == 404


def test_a_jpeg_scan_is_accepted(client, users, materials_open):
    client.force_login(users["district_yubei"])
    review = _review(materials_open[0])

    assert _upload(client, review, jpeg(), name="scan.jpg", kind="consultation_form", copies=1).status_code == 302
    assert FormalMaterial.objects.get(review=review).file.name.endswith(".jpg")


@pytest.mark.parametrize(("content", "name"), [(b"GIF89a not a scan", "form.pdf"), (None, "scan.pdf")])
def test_files_that_are_not_pdf_or_jpeg_by_content_are_refused(client, users, materials_open, content, name):
    client.force_login(users["district_yubei"])
    review = _review(materials_open[0])

    response = _upload(client, review, content or png(), name=name)

    assert response.status_code == 400
    assert "正式推荐材料只能上传PDF或JPG格式的扫描件（按文件内容识别）。" in response.content.decode()
    assert not FormalMaterial.objects.exists()


def test_files_over_20_mb_are_refused(client, users, materials_open):
    client.force_login(users["district_yubei"])
    review = _review(materials_open[0])

    response = _upload(client, review, b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))

    assert "超过20MB的上限" in response.content.decode()
    assert not FormalMaterial.objects.exists()


def test_upload_after_the_deadline_shows_the_service_message(client, campaign, users, materials_open):
    Stage.objects.filter(campaign=campaign, key=StageKey.FORMAL_MATERIALS).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(users["district_yubei"])
    review = _review(materials_open[0])

    response = _upload(client, review, PDF)

    assert response.status_code == 400
    assert "正式推荐材料已于" in response.content.decode() and "截止报送。" in response.content.decode()
    assert not FormalMaterial.objects.exists()


def test_upload_before_the_materials_stage_shows_the_service_message(client, users, proposed):
    client.force_login(users["district_yubei"])

    response = _upload(client, _review(proposed[0]), PDF)

    assert "尚未开始" in response.content.decode()


def test_feedback_lists_uploaded_materials_and_what_is_missing(client, users, materials_open):
    review = _review(materials_open[0])
    services.upload_material(review, kind=FormalMaterial.Kind.APPROVAL_FORM, file=ContentFile(PDF, name="a.pdf"), copies=3,
                             actor=users["district_yubei"])
    client.force_login(users["district_yubei"])

    body = client.get(FEEDBACK).content.decode()

    assert "推荐审批表 · 3份" in body
    assert "缺少：附件5《推荐对象征求意见表》" in body
    assert "：公示结束" in body  # the district's own notice has closed
