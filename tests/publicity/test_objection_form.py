"""The public objection form: real name, CSRF, honeypot, fill time, rate limit, attachments, receipts."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from publicity.forms import ObjectionForm
from publicity.models import Objection
from tests.pdf import PDF

from .helpers import bulk_notice, unit_notice

pytestmark = pytest.mark.django_db
FACTS = "该同志事迹材料中查办案件的数量与实际情况不符，请予核实。"


@pytest.fixture
def notice(campaign, users, org):
    return unit_notice(campaign, org("渝北区知识产权保护中心"), users["unit_yubei"])


def _form_data(client, notice, **extra):
    """What a browser sends: the page's signed start time, then the filled fields."""
    page = client.get(reverse("public:objection", args=[notice.pk]))
    started = page.context["form"]["started"].value()
    data = {"entry": notice.entries.first().pk, "name": "王某某", "contact": "023-61234567", "facts": FACTS,
            "website": "", "started": started}
    data.update(extra)
    return data


def _post(client, notice, data, **kw):
    return client.post(reverse("public:objection", args=[notice.pk]), data, **kw)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def test_objection_is_filed_and_the_receipt_page_shows_the_code(client, notice):
    response = _post(client, notice, _form_data(client, notice))
    objection = Objection.objects.get(notice=notice)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:receipt", args=[objection.receipt_code]) + "?filed=1"
    html = client.get(response["Location"]).content.decode()
    assert objection.receipt_code in html and "您的异议已受理" in html
    assert objection.get_status_display() in html
    assert "王某某" not in html and "023-61234567" not in html and FACTS not in html


def test_objection_without_csrf_token_is_forbidden(notice):
    browser = Client(enforce_csrf_checks=True)
    data = _form_data(Client(), notice)
    response = browser.post(reverse("public:objection", args=[notice.pk]), data)
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_objection_with_csrf_token_from_the_page_is_accepted(notice):
    browser = Client(enforce_csrf_checks=True)
    data = _form_data(browser, notice)
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"].value
    assert browser.post(reverse("public:objection", args=[notice.pk]), data).status_code == 302
    assert Objection.objects.count() == 1


def test_honeypot_filled_is_refused(client, notice):
    response = _post(client, notice, _form_data(client, notice, website="http://spam.example"))
    assert response.status_code == 200
    assert "提交未通过校验" in response.content.decode()
    assert not Objection.objects.exists()


def test_form_sent_faster_than_a_person_can_fill_it_is_refused(client, notice, settings):
    settings.OBJECTION_MIN_FILL_SECONDS = 30
    response = _post(client, notice, _form_data(client, notice))
    assert "提交过快" in response.content.decode()
    assert not Objection.objects.exists()


def test_forged_start_time_is_refused(client, notice):
    response = _post(client, notice, _form_data(client, notice, started="1700000000"))
    assert "页面已过期" in response.content.decode()
    assert not Objection.objects.exists()


def test_start_time_of_another_notice_is_refused(client, notice, campaign, users, org):
    other = bulk_notice(campaign, org("渝北区知识产权保护中心"), users["unit_yubei"], entries=1)
    data = _form_data(client, other)
    data["entry"] = notice.entries.first().pk
    response = _post(client, notice, data)
    assert "页面已过期" in response.content.decode()


def test_real_name_and_facts_are_required_and_typed_text_is_kept(client, notice):
    response = _post(client, notice, _form_data(client, notice, name="", facts="太短"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="pub-error"') >= 2
    assert "太短" in html  # nothing typed is lost
    assert not Objection.objects.exists()


def test_entry_of_another_notice_cannot_be_chosen(client, notice, campaign, users, org):
    other = bulk_notice(campaign, org("渝北区知识产权保护中心"), users["unit_yubei"], entries=1)
    response = _post(client, notice, _form_data(client, notice, entry=other.entries.get().pk))
    assert response.status_code == 200
    assert response.context["form"].errors["entry"] == ["请从列表中选择公示对象。"]
    assert not Objection.objects.exists() and not Objection.history.exists()


@pytest.mark.parametrize("entry", ["abc", "", "99999999"])
def test_entry_that_is_no_entry_is_refused_on_the_form(client, notice, entry):
    response = _post(client, notice, _form_data(client, notice, entry=entry))
    assert response.status_code == 200
    assert response.context["form"].errors["entry"]
    assert not Objection.objects.exists()


def test_sixth_objection_from_one_client_within_an_hour_is_refused_with_429(client, notice):
    for _ in range(5):
        assert _post(client, notice, _form_data(client, notice)).status_code == 302
    response = _post(client, notice, _form_data(client, notice))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Objection.objects.count() == 5
    # Another address is not affected.
    assert _post(client, notice, _form_data(client, notice), REMOTE_ADDR="10.1.2.3").status_code == 302


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(client, notice, settings):
    settings.PUBLICITY_TRUSTED_PROXIES = 1
    for i in range(5):
        assert _post(client, notice, _form_data(client, notice), HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code == 302
    assert _post(client, notice, _form_data(client, notice), HTTP_X_FORWARDED_FOR="10.0.0.9").status_code == 302


def test_window_closed_shows_the_service_message(client, campaign, users, org):
    n = bulk_notice(campaign, org("渝北区知识产权保护中心"), users["unit_yubei"], entries=2,
                    closes_at=timezone.now() + dt.timedelta(seconds=30))
    data = _form_data(client, n)
    n.closes_at = timezone.now() - dt.timedelta(seconds=1)
    n.save(update_fields=["closes_at"])
    response = _post(client, n, data)
    assert "不再受理异议" in response.content.decode()
    assert not Objection.objects.exists()
    # The page itself says so and shows no form.
    html = client.get(reverse("public:objection", args=[n.pk])).content.decode()
    assert "不再受理异议" in html and "<form" not in html.split('id="main"')[1]


@pytest.mark.parametrize(
    "name,content,ok",
    [
        ("证明.pdf", PDF, True),
        ("damaged.pdf", b"%PDF-1.4\n%only the magic bytes, no document\n%%EOF\n", False),
        ("photo.png", None, True),
        ("fake.pdf", b"MZ\x90\x00 this is an executable", False),
        ("page.jpg", b"<html><script>alert(1)</script></html>", False),
    ],
)
def test_attachment_is_checked_by_content(client, notice, name, content, ok):
    upload = SimpleUploadedFile(name, content if content is not None else _png())
    response = _post(client, notice, _form_data(client, notice, attachment=upload))
    assert (response.status_code == 302) is ok
    if ok:
        stored = Objection.objects.get().attachment.name
        assert stored.startswith("publicity/objections/") and name not in stored
        assert stored.endswith(".pdf" if name.endswith("pdf") else ".png")
    else:
        assert "须为PDF、JPG或PNG" in response.content.decode() or "无法读取该PDF文件" in response.content.decode()


def test_attachment_over_10_mb_is_refused(notice):
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    form = ObjectionForm({"entry": notice.entries.first().pk}, {"attachment": big}, notice=notice)
    form.is_valid()
    assert "附件不能超过10MB。" in form.errors["attachment"]


def test_receipt_lookup_finds_the_code_and_hides_personal_data(client, notice, users):
    from publicity import services

    objection = services.file_objection(entry=notice.entries.first(), name="钱某某", contact="13712345678",
                                        facts=FACTS, client="x")
    response = client.get(reverse("public:receipt_lookup"), {"code": objection.receipt_code.lower()})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "已受理" in html
    staff = users["unit_yubei"]
    services.assign_objection(objection, to=staff, actor=staff)
    services.record_investigation(objection, text="内部核查记录：已约谈相关人员。", actor=staff)
    services.conclude_objection(objection, upheld=True, conclusion="内部处理意见", public_reply="经核实，反映情况属实，已按规定处理。",
                                actor=staff)
    html = client.get(response["Location"]).content.decode()
    assert "经核实，异议成立" in html and "经核实，反映情况属实，已按规定处理。" in html
    for private in ("钱某某", "13712345678", FACTS, "内部核查记录", "内部处理意见", staff.full_name):
        assert private not in html


def test_unknown_receipt_code_is_reported(client):
    response = client.get(reverse("public:receipt_lookup"), {"code": "ZZZZZZZZZZZZ"})
    assert response.status_code == 200 and "没有找到该回执码" in response.content.decode()
    assert client.get(reverse("public:receipt", args=["NOPE12345678"])).status_code == 404
