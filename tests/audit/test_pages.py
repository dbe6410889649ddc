"""The auditor's pages: who may open them, filters, exports read back, a flat query count."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.log import Action, Outcome, record
from audit.models import AuditEvent
from orgs.models import Organisation, Role
from orgs.services import grant_role
from tests.factories import UserFactory

from .helpers import clear_trail, record_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    clear_trail()
    record(Action.LOGIN_FAILED, username="mallory", outcome=Outcome.FAILURE, detail={"原因": "密码错误"},
           object_repr="=HYPERLINK(\"http://x\")")
    record_at(timezone.now() - dt.timedelta(days=3), action=Action.EXPORT, username="office", detail={"文件": "a.xlsx"},
              object_type="awards.campaign", object_id="7", object_repr="演示活动")
    record(Action.CONFIG, username="admin", object_type="awards.quota", object_id="12", object_repr="渝北区")


@pytest.mark.parametrize("username", ["office", "unit_yubei", "district_yubei", "member_liu", "admin"])
def test_everyone_but_the_auditor_is_refused(login, username):
    client = login(username)
    for name in ("audit:list", "audit:export_xlsx", "audit:export_csv", "audit:chain"):
        assert client.get(reverse(name)).status_code == 403, (username, name)


def test_auditor_reads_the_trail_and_sees_the_menu(login, trail):
    response = login("auditor").get(reverse("audit:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "审计日志" in body and "mallory" in body and "登录失败" in body and "哈希链状态" in body
    assert 'href="/audit/"' in body


def test_auditor_changes_nothing(login, trail):
    client = login("auditor")
    for name in ("audit:list", "audit:export_csv", "audit:chain"):
        assert client.post(reverse(name)).status_code == 405


def test_filters(login, trail):
    client = login("auditor")

    def shown(**params):
        page = client.get(reverse("audit:list"), params).context["page"]
        return [e.username for e in page.object_list]

    assert shown(action=Action.LOGIN_FAILED) == ["mallory"]
    assert shown(outcome=Outcome.FAILURE) == ["mallory"]
    assert shown(username="adm") == ["admin"]
    assert shown(object_type="awards.quota", object_id="12") == ["admin"]
    today = timezone.localdate()
    assert shown(start=(today - dt.timedelta(days=4)).isoformat(), end=(today - dt.timedelta(days=2)).isoformat()) == ["office"]
    assert shown(client_ip="192.0.2.") == []
    # A bad range says so and filters nothing away.
    response = client.get(reverse("audit:list"), {"start": today.isoformat(), "end": (today - dt.timedelta(days=1)).isoformat()})
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_xlsx_export_reads_back_and_is_itself_recorded(login, trail):
    from openpyxl import load_workbook

    response = login("auditor").get(reverse("audit:export_xlsx"), {"action": Action.EXPORT})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:10] == ("编号", "时间", "用户名", "角色", "操作", "对象类型", "对象编号", "对象", "结果", "客户端地址")
    assert len(rows) == 2
    assert rows[1][2:9] == ("office", None, "导出", "awards.campaign", "7", "演示活动", "成功")
    assert rows[1][10] == '{"文件": "a.xlsx"}'
    note = AuditEvent.objects.latest("id")
    assert (note.action, note.username, note.role, note.client_ip) == (Action.AUDIT, "auditor", Role.AUDITOR, "127.0.0.1")
    assert note.detail == {"格式": "xlsx", "条数": 1, "条件": {"action": "export"}}


def test_csv_export_reads_back(login, trail):
    response = login("auditor").get(reverse("audit:export_csv"), {"username": "mallory"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert (rows[1][2], rows[1][4], rows[1][8]) == ("mallory", "登录失败", "失败")
    # Never a formula in a spreadsheet (CSV injection): the cell stays text.
    assert rows[1][7] == "'=HYPERLINK(\"http://x\")"


def test_xlsx_cell_that_looks_like_a_formula_stays_text(login, trail):
    from openpyxl import load_workbook

    response = login("auditor").get(reverse("audit:export_xlsx"), {"username": "mallory"})
    cell = load_workbook(io.BytesIO(response.content)).active["H2"]
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(\"http://x\")", "s")


def test_chain_page_shows_the_verdict(login, trail):
    response = login("auditor").get(reverse("audit:chain"))
    assert response.status_code == 200
    assert 'data-chain="ok"' in response.content.decode()
    assert "哈希链完整" in response.content.decode()


def test_district_auditor_sees_only_its_subtree(login, trail, demo):
    yubei = Organisation.objects.get(name="渝北区知识产权局")
    auditor = UserFactory(username="auditor_yb", organisation=yubei)
    grant_role(user=auditor, role=Role.AUDITOR, scope=yubei.parent if yubei.parent.level == "district" else yubei)
    from orgs.models import User

    record(Action.LOGIN, user=User.objects.get(username="unit_yubei"))
    record(Action.LOGIN, user=User.objects.get(username="district_spb"))
    client = login("auditor_yb")
    names = {e.username for e in client.get(reverse("audit:list")).context["page"].object_list}
    assert "unit_yubei" in names
    assert not names & {"district_spb", "mallory", "admin"}


def _fill(n, start=0):
    AuditEvent.objects.bulk_create([
        AuditEvent(at=timezone.now(), username=f"u{i}", role="office", action=Action.EXPORT, object_type="awards.campaign",
                   object_id=str(i), object_repr="活动", outcome=Outcome.SUCCESS, client_ip="10.0.0.1",
                   detail={"文件": f"{i}.xlsx"}, prev_hash="0" * 64, hash=f"{i:064x}")
        for i in range(start, start + n)
    ])


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("audit:list")).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_flat(login):
    clear_trail()
    client = login("auditor")
    _fill(10)
    _queries(client)  # warm the per-process and shared caches (content types, policy, grants)
    small = _queries(client)
    _fill(990, start=10)
    assert AuditEvent.objects.count() == 1000
    assert _queries(client) == small
