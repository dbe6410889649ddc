"""Staff pages: scoped to the user's part of the tree (404 elsewhere), read-only records, the objection desk."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Notification, TaskFailure
from nominations.models import Status
from publicity import services
from publicity.models import Notice, Objection, Scope

from .helpers import CONTACT, bulk_notice, forward, individual, unit_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(org):
    return org("渝北区知识产权保护中心")


@pytest.fixture
def notice(campaign, users, unit):
    return unit_notice(campaign, unit, users["unit_yubei"])


@pytest.fixture
def objection(notice):
    return services.file_objection(entry=notice.entries.get(), name="孙某某", contact="023-68887777",
                                   facts="反映该同志事迹中的案件数量有出入。", client="c")


def _as(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("username,visible", [
    ("unit_yubei", True), ("district_yubei", True), ("office", True), ("auditor", True),
    ("district_spb", False), ("unit_police", False), ("nat_office", True),
])
def test_notice_record_is_visible_only_within_the_tree(client, users, notice, objection, username, visible):
    _as(client, users[username])
    for url in (reverse("publicity:notice_detail", args=[notice.pk]), reverse("publicity:objection_detail", args=[objection.pk])):
        assert client.get(url).status_code == (200 if visible else 404), url
    listed = client.get(reverse("publicity:objection_list")).content.decode()
    assert (objection.receipt_code in listed) is visible


def test_pages_need_login(client, notice):
    response = client.get(reverse("publicity:notice_detail", args=[notice.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_index_shows_running_windows_with_countdown(client, users, notice):
    _as(client, users["district_yubei"])
    html = client.get(reverse("publicity:index")).content.decode()
    assert notice.title in html
    assert "个工作日（" in html and "小时" in html
    assert "<script>" not in html.split("</main>")[0]  # countdown is server-rendered, no inline script


def test_countdown_counts_working_days_left(campaign, users, unit):
    from zoneinfo import ZoneInfo

    from publicity.selectors import countdowns

    sh = ZoneInfo("Asia/Shanghai")
    n = unit_notice(campaign, unit, users["unit_yubei"], opens_at=dt.datetime(2026, 9, 30, 9, tzinfo=sh))
    # On Friday 10-9 at noon: 10-9, 10-10 (make-up Saturday) and 10-12 are left.
    c = countdowns([n], now=dt.datetime(2026, 10, 9, 12, tzinfo=sh))[n.pk]
    assert (c.working_days, c.hours, c.minutes) == (3, 84, 0)
    assert countdowns([n], now=n.closes_at)[n.pk].passed


def test_notice_record_lists_entries_outcome_history_and_objections(client, users, notice, objection):
    services.close_notice(notice.pk, now=notice.closes_at)
    _as(client, users["unit_yubei"])
    html = client.get(reverse("publicity:notice_detail", args=[notice.pk])).content.decode()
    entry = notice.entries.get()
    assert entry.name in html and objection.receipt_code in html
    assert "异议尚未办结" in html  # outcome after close
    assert "公示期满关闭" in html  # history
    assert users["unit_yubei"].full_name in html  # who opened it
    # Read-only: there is no form on the record other than the header's logout.
    assert html.count("<form") == 1


def test_district_screener_opens_a_district_notice_for_forwarded_nominations(client, campaign, users, org, unit):
    staff, screener = users["unit_yubei"], users["district_yubei"]
    (nom,) = forward(campaign, unit, staff, screener, noms=[individual(campaign, unit, staff)])
    _as(client, screener)
    url = reverse("publicity:notice_open", args=[campaign.slug, Scope.DISTRICT])
    page = client.get(url).content.decode()
    assert nom.name in page and f'name="nominations" value="{nom.pk}"' in page
    response = client.post(url, {"nominations": [nom.pk], "contact": ""})
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    response = client.post(url, {"nominations": [nom.pk], "contact": CONTACT})
    notice = Notice.objects.get(scope=Scope.DISTRICT)
    assert response.status_code == 302 and response["Location"] == reverse("publicity:notice_detail", args=[notice.pk])
    assert notice.issuer == org("渝北区知识产权局") and notice.opened_by == screener
    assert list(notice.entries.values_list("nomination_id", flat=True)) == [nom.pk]
    # Listed once at this scope: listing again goes through a correction.
    assert f'name="nominations" value="{nom.pk}"' not in client.get(url).content.decode()


def test_unit_staff_and_other_districts_cannot_open_district_notices(client, campaign, users):
    for username in ("unit_yubei", "auditor"):
        _as(client, users[username])
        assert client.get(reverse("publicity:notice_open", args=[campaign.slug, Scope.DISTRICT])).status_code == 404
    _as(client, users["district_yubei"])
    assert client.get(reverse("publicity:notice_open", args=[campaign.slug, Scope.FINAL])).status_code == 404


def test_office_opens_the_final_notice(client, campaign, users, unit):
    staff, screener, office = users["unit_yubei"], users["district_yubei"], users["office"]
    (nom,) = forward(campaign, unit, staff, screener, noms=[individual(campaign, unit, staff)])
    _as(client, office)
    url = reverse("publicity:notice_open", args=[campaign.slug, Scope.FINAL])
    assert "（023）67539940" in client.get(url).content.decode()  # the campaign's contact is offered
    response = client.post(url, {"nominations": [nom.pk], "contact": "（023）67539940"})
    assert response.status_code == 302
    notice = Notice.objects.get(scope=Scope.FINAL)
    assert notice.issuer == campaign.office


def test_correction_page_opens_a_new_notice_naming_the_old(client, users, notice):
    _as(client, users["unit_yubei"])
    url = reverse("publicity:notice_correct", args=[notice.pk])
    nom_id = notice.entries.get().nomination_id
    response = client.post(url, {"nominations": [nom_id], "contact": CONTACT, "title": "更正公示", "correction_note": ""})
    assert response.status_code == 200 and not Notice.objects.filter(replaces=notice).exists()
    response = client.post(url, {"nominations": [nom_id], "contact": CONTACT, "title": "更正公示",
                                 "correction_note": "更正推荐对象的职务。"})
    fixed = Notice.objects.get(replaces=notice)
    assert response["Location"] == reverse("publicity:notice_detail", args=[fixed.pk])
    assert fixed.correction_note == "更正推荐对象的职务。"
    old_html = client.get(reverse("publicity:notice_detail", args=[notice.pk])).content.decode()
    assert "更正" in old_html and reverse("publicity:notice_detail", args=[fixed.pk]) in old_html


def test_objection_desk_assign_investigate_conclude_inform(client, users, notice, objection):
    staff = users["unit_yubei"]
    _as(client, staff)
    url = reverse("publicity:objection_detail", args=[objection.pk])
    html = client.get(url).content.decode()
    assert "孙某某" in html and "023-68887777" in html  # staff see the objector
    client.post(url, {"action": "assign", "to": staff.pk})
    # Concluding before the investigation is refused with the service's message, the typed text kept.
    response = client.post(url, {"action": "conclude", "upheld": "1", "conclusion": "成立的处理意见", "public_reply": "答复内容"},
                           follow=True)
    html = response.content.decode()
    assert "请先记录核查情况" in html and "成立的处理意见" in html
    client.post(url, {"action": "investigate", "text": "已向单位核实。"})
    client.post(url, {"action": "conclude", "upheld": "1", "conclusion": "异议成立", "public_reply": "经核实，反映属实。"})
    client.post(url, {"action": "inform"})
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert objection.assigned_to == staff and objection.concluded_by == staff and objection.informed_at
    assert objection.public_reply == "经核实，反映属实。"


def test_objection_desk_is_read_only_for_the_auditor(client, users, objection):
    _as(client, users["auditor"])
    url = reverse("publicity:objection_detail", args=[objection.pk])
    assert 'name="action"' not in client.get(url).content.decode()
    # 三员分立: the auditor changes nothing, refused before the view (403, orgs/duties.py).
    assert client.post(url, {"action": "inform"}).status_code == 403


def test_objection_queue_filters_by_state_and_deadline(client, campaign, users, unit, notice, objection):
    other = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=timezone.now() - dt.timedelta(hours=1))
    late = Objection.objects.create(notice=other, entry=other.entries.get(), objector_name="甲", objector_contact="乙",
                                    facts="逾期未办结的异议内容。")
    _as(client, users["district_yubei"])
    url = reverse("publicity:objection_list")
    html = client.get(url).content.decode()
    assert objection.receipt_code in html and late.receipt_code in html
    assert "已过截止，未办结" in html
    overdue = client.get(url, {"status": "open", "overdue": "1"}).content.decode()
    assert late.receipt_code in overdue and objection.receipt_code not in overdue
    assert objection.receipt_code not in client.get(url, {"status": "upheld"}).content.decode()


def test_attachment_download_is_for_staff_in_scope(client, users, notice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    o = services.file_objection(entry=notice.entries.get(), name="甲", contact="乙", facts="反映的情况如附件所示。",
                                attachment=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"), client="c")
    url = reverse("publicity:objection_attachment", args=[o.pk])
    _as(client, users["district_spb"])
    assert client.get(url).status_code == 404
    _as(client, users["district_yubei"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_task_failures_page_is_for_the_office(client, users):
    failure = TaskFailure.objects.create(task="publicity.tasks.close_notice_task", arguments={"notice_id": 9},
                                         error="OperationalError('database is locked')")
    # The system administrator reads task failures in /admin/ (core.taskfailure), not on business pages.
    for username, code in (("office", 200), ("admin", 403), ("unit_yubei", 404), ("district_yubei", 404)):
        _as(client, users[username])
        assert client.get(reverse("publicity:failures")).status_code == code, username
    _as(client, users["office"])
    assert "database is locked" in client.get(reverse("publicity:failures")).content.decode()
    client.post(reverse("publicity:failure_resolve", args=[failure.pk]))
    failure.refresh_from_db()
    assert failure.resolved_at is not None
    assert "database is locked" not in client.get(reverse("publicity:failures")).content.decode()


def test_reminders_page_and_header_count(client, users):
    user = users["unit_yubei"]
    Notification.objects.create(user=user, key="k1", text="公示将于明日截止。", url="/publicity/")
    Notification.objects.create(user=user, key="k2", text="异议待分派核查。")
    _as(client, user)
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="2条未读"' in html
    page = client.get(reverse("publicity:notifications")).content.decode()
    assert "公示将于明日截止。" in page and "异议待分派核查。" in page
    client.post(reverse("publicity:notifications"))
    assert 'aria-label="2条未读"' not in client.get(reverse("home")).content.decode()


def test_notice_list_query_count_does_not_grow(client, campaign, users, unit, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _as(client, users["office"])
    client.get(reverse("publicity:notice_list"))  # the policy and grants into the shared cache
    counts = []
    for n in (1, 10):
        for _ in range(n):
            bulk_notice(campaign, unit, users["unit_yubei"], entries=2)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("publicity:notice_list"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_nomination_status_shows_cancelled_in_the_record_after_upheld_close(client, users, notice, objection):
    staff = users["unit_yubei"]
    services.record_investigation(objection, text="核查属实。", actor=staff)
    services.conclude_objection(objection, upheld=True, conclusion="成立", public_reply="经核实属实。", actor=staff)
    services.close_notice(notice.pk, now=notice.closes_at)
    _as(client, staff)
    html = client.get(reverse("publicity:notice_detail", args=[notice.pk])).content.decode()
    assert f'data-status="{Status.CANCELLED}"' in html and "异议经核实成立" in html


def test_the_header_counts_unread_reminders_up_to_99(client, users):
    """Staff told of thousands of objections: the header shows 99+ and counts no further."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from publicity.context_processors import UNREAD_SHOWN

    user = users["unit_yubei"]
    Notification.objects.bulk_create(
        Notification(user=user, key=f"objection:{n}", text="收到异议，请及时核查。") for n in range(UNREAD_SHOWN + 5)
    )
    _as(client, user)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("home")).content.decode()
    assert f'aria-label="{UNREAD_SHOWN}条以上未读">{UNREAD_SHOWN}+</span>' in html
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT" in q["sql"] and "core_notification" in q["sql"]]
    assert len(counts) == 1 and f"LIMIT {UNREAD_SHOWN + 1}" in counts[0]

    Notification.objects.filter(user=user).exclude(key="objection:0").update(read_at=timezone.now())
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="1条未读">1</span>' in html
