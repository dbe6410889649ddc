"""The import: all rows or none, a row-by-row report in Chinese, a clear message for a broken file."""

import os
from decimal import Decimal

import pytest

from awards.models import Category
from core import crypto
from nominations import imports, services
from nominations.imports import format_error
from nominations.models import Appraisal, Honour, ImportJob, Leader, Nomination, Status
from nominations.tasks import run_import
from tests.chain.helpers import BRIEF, id_number

from .helpers import collective_row, docx_bytes, job_for, person, queued, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(org):
    return org("渝北区知识产权保护中心")


@pytest.fixture
def staff(users):
    return users["unit_yubei"]


def _run(campaign, unit, staff, data, **kw) -> ImportJob:
    job = job_for(campaign, unit, staff, data, **kw)
    run_import(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_good_file_with_three_rows_creates_three_drafts_with_appraisals_and_honours(campaign, unit, staff):
    data = workbook(campaign, Category.INDIVIDUAL, [person(campaign, s) for s in (1, 3, 5)])
    job = _run(campaign, unit, staff, data)
    assert (job.status, job.total_rows, job.processed_rows, job.created_count, job.errors) == ("done", 3, 3, 3, [])
    noms = list(Nomination.objects.filter(pk__in=job.created_ids).order_by("pk"))
    assert [n.name for n in noms] == ["李1号", "李3号", "李5号"]
    first = noms[0]
    assert (first.status, first.unit, first.quota.organisation.name, first.created_by) == (Status.DRAFT, unit, "渝北区", staff)
    assert (first.gender, first.rank_grade, str(first.birth_date), first.id_number) == ("male", "section_staff", "1985-06-01", id_number(1))
    assert (first.is_city_managed_cadre, first.years_in_field, first.photo.name) == (False, Decimal("6"), "")
    assert list(first.appraisals.order_by("year").values_list("result", flat=True)) == ["excellent"] + ["competent"] * 4
    assert Appraisal.objects.filter(nomination__in=noms).count() == 15
    assert list(first.honours.values_list("year", "level", "title")) == [
        (campaign.year - 2, "provincial", "重庆市知识产权工作先进个人"), (campaign.year - 3, "county", "渝北区优秀公务员"),
    ]
    assert list(first.events.values_list("to_status", flat=True)) == ["draft"]  # through services.create_nomination


def test_good_collective_file_creates_the_collective_with_its_leaders(campaign, org, users):
    unit = org("渝北区知识产权局")
    staff = users["unit_yubei"]
    from orgs.models import Role
    from orgs.services import grant_role

    grant_role(user=staff, role=Role.UNIT_STAFF, scope=unit)
    data = workbook(campaign, Category.COLLECTIVE, [collective_row("保护科"), collective_row("渝北区知识产权保护中心", 班子成员="钱七")], unit=unit)
    job = _run(campaign, unit, staff, data, category=Category.COLLECTIVE)
    assert (job.status, job.created_count) == ("done", 2), job.errors
    first = Nomination.objects.get(pk=job.created_ids[0])
    assert (first.organisation.name, first.collective_nature, first.staff_count, first.no_violation_commitment) == ("保护科", "public_institution", 20, True)
    assert list(first.leaders.values_list("name", "post")) == [("王五", "主任"), ("赵六", "副主任")]
    assert Leader.objects.filter(nomination_id=job.created_ids[1]).get().name == "钱七"


def test_one_bad_row_among_good_ones_creates_nothing_and_names_row_and_column(campaign, unit, staff):
    bad_id = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    rows = [person(campaign, 1), person(campaign, 3, 身份证号=bad_id), person(campaign, 5)]
    job = _run(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, rows))
    assert job.status == "failed"
    assert Nomination.objects.count() == 0 and Appraisal.objects.count() == 0 and Honour.objects.count() == 0
    assert job.errors == [{"row": 3, "column": "身份证号", "message": "身份证号应为18位，且校验位正确。"}]
    assert format_error(job.errors[0]) == "第3行【身份证号】：身份证号应为18位，且校验位正确。"
    assert (job.processed_rows, job.total_rows, job.created_count) == (3, 3, 0)
    assert "未导入任何数据" in job.message


def test_every_error_of_every_row_is_reported(campaign, unit, staff):
    rows = [
        person(campaign, 1, 出生年月="85年6月", 职级="科长"),
        person(campaign, 3, 简要事迹=BRIEF * 3, 市管干部="是", 从事相关工作年限="六年"),
        person(campaign, 5, 身份证号=id_number(1), 性别="女", 荣誉="很多荣誉"),
    ]
    job = _run(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, rows))
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {
        (2, "出生年月"), (2, "职级"),
        (3, "简要事迹"), (3, "市管干部"), (3, "从事相关工作年限"),
        (4, "身份证号"), (4, "性别"), (4, "荣誉"),
    }
    by_cell = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert by_cell[(2, "出生年月")] == "出生年月格式不正确，请填写为“1985-06”这样的年月。"
    assert by_cell[(3, "简要事迹")].startswith("简要事迹不超过500字")
    assert by_cell[(3, "市管干部")] == "市管干部不参加评选。"
    assert by_cell[(4, "身份证号")] == "与第2行的身份证号重复。"
    assert Nomination.objects.count() == 0


def test_a_person_already_nominated_in_the_campaign_is_refused(campaign, unit, staff):
    from tests.chain.helpers import individual

    individual(campaign, unit, staff, seq=1)
    job = _run(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1), person(campaign, 3)]))
    assert job.errors == [{"row": 2, "column": "身份证号", "message": "该身份证号的推荐对象已在本次评选表彰活动中录入，不能重复推荐。"}]
    assert Nomination.objects.count() == 1


def test_an_error_while_creating_rolls_back_every_row(campaign, unit, staff, monkeypatch):
    real = services.create_nomination
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "create_nomination", failing)
    job = job_for(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, [person(campaign, s) for s in (1, 3, 5)]))
    with pytest.raises(RuntimeError):
        run_import(job_id=job.pk)
    job.refresh_from_db()
    assert calls == ["李1号", "李3号", "李5号"]
    assert (Nomination.objects.count(), Appraisal.objects.count(), Honour.objects.count()) == (0, 0, 0)
    assert (job.status, job.created_count) == ("failed", 0)
    assert "未导入任何数据" in job.message


def test_a_rule_refusing_a_row_while_creating_rolls_back_and_names_the_row(campaign, unit, staff, monkeypatch):
    real = services.create_nomination

    def refusing(**kwargs):
        if kwargs["name"] == "李3号":
            raise services.RuleError("推荐阶段已截止。")
        return real(**kwargs)

    monkeypatch.setattr(services, "create_nomination", refusing)
    job = _run(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, [person(campaign, s) for s in (1, 3, 5)]))
    assert (job.status, Nomination.objects.count()) == ("failed", 0)
    assert job.errors == [{"row": 3, "column": "", "message": "推荐阶段已截止。"}]


def _missing_column(campaign):
    return workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1)], drop="身份证号")


def _empty(campaign):
    return workbook(campaign, Category.INDIVIDUAL, [])


def _wrong_sheet(campaign):
    return workbook(campaign, Category.COLLECTIVE, [collective_row("渝北区知识产权保护中心")])


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda c: os.urandom(4096), "请上传 .xlsx 格式的 Excel 文件"),
        (lambda c: b"PK\x03\x04" + os.urandom(4096), "文件已损坏或不是 Excel（.xlsx）文件"),
        (lambda c: docx_bytes(), "文件无法作为 Excel 工作簿打开（可能是改了扩展名的 Word 文档"),
        (lambda c: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(512), "旧版 Excel（.xls）"),
        (_missing_column, "表头缺少以下列：身份证号。"),
        (_empty, "没有推荐对象数据"),
        (_wrong_sheet, "这是先进集体的导入模板，当前导入的是先进个人"),
    ],
    ids=["random-bytes", "broken-zip", "docx-renamed", "xls", "missing-column", "empty", "wrong-sheet"],
)
def test_a_broken_file_gives_a_clear_message_and_changes_nothing(campaign, unit, staff, build, expected):
    job = _run(campaign, unit, staff, build(campaign))
    assert job.status == "failed"
    assert expected in job.message
    assert job.errors == [{"row": None, "column": "", "message": job.message.removeprefix("未导入：")}]
    assert Nomination.objects.count() == 0


def test_a_finished_job_is_not_run_again(campaign, unit, staff):
    job = _run(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1)]))
    assert job.status == "done"
    assert run_import(job_id=job.pk) == "done"
    assert Nomination.objects.count() == 1
    failed = _run(campaign, unit, staff, b"not a workbook")
    ImportJob.objects.filter(pk=failed.pk).update(message="kept")
    assert run_import(job_id=failed.pk) == "failed"
    assert ImportJob.objects.get(pk=failed.pk).message == "kept"


def test_a_job_left_running_by_a_dead_worker_runs_again(campaign, unit, staff):
    job = job_for(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1)]))
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1, total_rows=1)
    assert run_import(job_id=job.pk) == "done"
    assert Nomination.objects.count() == 1


def test_a_gone_job_is_skipped(db):
    assert run_import(job_id=987654) is None


def test_a_closed_campaign_refuses_the_import(campaign, unit, staff):
    campaign.status = "decided"
    campaign.save()
    job = _run(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1)]))
    assert job.status == "failed"
    assert "当前不在推荐阶段" in job.message
    assert Nomination.objects.count() == 0


def test_start_import_queues_the_task_on_commit(campaign, unit, staff, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload_bytes = workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1)])
    upload = SimpleUploadedFile("渝北推荐.xlsx", upload_bytes)
    with django_capture_on_commit_callbacks() as callbacks:
        job = imports.start_import(campaign=campaign, unit=unit, category=Category.INDIVIDUAL, upload=upload, actor=staff)
    assert len(queued(callbacks)) == 1
    assert (job.status, job.original_name) == ("queued", "渝北推荐.xlsx")
    assert job.file.name.endswith(".xlsx.enc") and "渝北" not in job.file.name
    with job.file.open("rb") as handle:  # sealed at rest (core.crypto.encrypt_bytes): no zip, no ID number
        stored = handle.read()
    assert not stored.startswith(b"PK") and crypto.decrypt_bytes(stored) == upload_bytes
    assert Nomination.objects.count() == 0  # nothing before the task runs
