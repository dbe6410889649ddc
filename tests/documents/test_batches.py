"""A whole package as one ZIP: built by a task, with progress, once per content version."""

from __future__ import annotations

import io
import zipfile

import pytest

from documents import selectors, services, tasks
from documents.models import DocumentBatch
from nominations.models import Honour, Nomination

from .helpers import flat, pdf_text

pytestmark = pytest.mark.django_db

EXPECTED = [
    "推荐对象汇总表_渝北区.xlsx",
    "推荐对象汇总表_渝北区.docx",
    "推荐对象汇总表_渝北区.pdf",
    "先进集体/01_渝北区知识产权保护中心/附件3_重庆市知识产权保护工作先进集体推荐审批表_渝北区知识产权保护中心.pdf",
    "先进集体/01_渝北区知识产权保护中心/附件3_重庆市知识产权保护工作先进集体推荐审批表_渝北区知识产权保护中心.docx",
    "先进集体/01_渝北区知识产权保护中心/附件5_推荐对象征求意见表_渝北区知识产权保护中心.pdf",
    "先进集体/01_渝北区知识产权保护中心/附件5_推荐对象征求意见表_渝北区知识产权保护中心.docx",
    "先进个人/01_周明远/附件4_重庆市知识产权保护工作先进个人推荐审批表_周明远.pdf",
    "先进个人/01_周明远/附件4_重庆市知识产权保护工作先进个人推荐审批表_周明远.docx",
    "先进个人/01_周明远/附件5_推荐对象征求意见表_周明远.pdf",
    "先进个人/01_周明远/附件5_推荐对象征求意见表_周明远.docx",
    "先进个人/02_林雨桐/附件4_重庆市知识产权保护工作先进个人推荐审批表_林雨桐.pdf",
    "先进个人/02_林雨桐/附件4_重庆市知识产权保护工作先进个人推荐审批表_林雨桐.docx",
    "先进个人/02_林雨桐/附件5_推荐对象征求意见表_林雨桐.pdf",
    "先进个人/02_林雨桐/附件5_推荐对象征求意见表_林雨桐.docx",
]


def ask(package, users):
    quota = package["quota"]
    campaign = selectors.campaign_for_documents(quota.campaign_id)
    return services.request_batch(campaign=campaign, quota=quota, actor=users["district_yubei"])


def test_batch_zip_holds_every_form_of_the_package(package, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        batch = ask(package, users)
    assert len(queued) == 1  # the build is queued when the transaction commits
    assert (batch.status, batch.done, batch.total) == (DocumentBatch.Status.QUEUED, 0, 0)
    tasks.build_document_batch(batch_id=batch.pk)  # what the worker runs
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.percent) == (DocumentBatch.Status.DONE, 15, 15, 100)
    with batch.file.open("rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    assert archive.namelist() == EXPECTED
    assert batch.size == batch.file.size
    approval = archive.read("先进个人/02_林雨桐/附件4_重庆市知识产权保护工作先进个人推荐审批表_林雨桐.pdf")
    assert approval.startswith(b"%PDF") and "林雨桐" in flat(pdf_text(approval))
    # Idempotent: a redelivered message leaves the built batch as it is.
    name = batch.file.name
    tasks.build_document_batch(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.file.name == name


def test_unchanged_records_reuse_the_batch_and_a_change_makes_a_new_one(package, users):
    first = ask(package, users)
    assert ask(package, users).pk == first.pk
    Honour.objects.create(nomination=package["second"], year=2024, level=Honour.Level.COUNTY, title="区级先进工作者")
    second = ask(package, users)
    assert second.pk != first.pk
    assert ask(package, users).pk == second.pk
    # A bulk change of the ranking leaves no history: it is part of the version all the same.
    Nomination.objects.filter(pk=package["first"].pk).update(rank=None)
    assert ask(package, users).pk not in (first.pk, second.pk)
    assert DocumentBatch.objects.filter(quota=package["quota"]).count() == 3


def test_a_failed_batch_is_queued_again_when_asked_again(package, users, django_capture_on_commit_callbacks):
    batch = ask(package, users)
    DocumentBatch.objects.filter(pk=batch.pk).update(status=DocumentBatch.Status.FAILED, message="生成失败：磁盘已满")
    with django_capture_on_commit_callbacks() as queued:
        again = ask(package, users)
    assert again.pk == batch.pk and again.status == DocumentBatch.Status.QUEUED and len(queued) == 1


def test_a_gone_batch_is_logged_and_skipped(caplog):
    assert services.build_batch(987654) is None
    assert "987654" in caplog.text


def test_office_batch_puts_each_submitter_in_its_folder(package, users):
    from nominations.models import Status

    Nomination.objects.filter(quota=package["quota"]).update(status=Status.FORWARDED)
    quota = package["quota"]
    campaign = selectors.campaign_for_documents(quota.campaign_id)
    batch = services.request_batch(campaign=campaign, quota=None, actor=users["office"])
    assert batch.scope == DocumentBatch.Scope.OFFICE and batch.quota is None
    services.build_batch(batch.pk)
    batch.refresh_from_db()
    with batch.file.open("rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    office = campaign.office.name
    assert names[:3] == [f"推荐对象汇总表_{office}.xlsx", f"推荐对象汇总表_{office}.docx", f"推荐对象汇总表_{office}.pdf"]
    assert names[3] == "渝北区/推荐对象汇总表_渝北区.xlsx"
    assert [n[len("渝北区/"):] for n in names[4:]] == EXPECTED[3:]


def test_a_large_package_is_rendered_by_forked_processes_in_the_same_order(package, users, monkeypatch):
    monkeypatch.setattr(services, "PARALLEL_MIN_FILES", 2)
    batch = ask(package, users)
    services.build_batch(batch.pk, processes=2)
    batch.refresh_from_db()
    assert (batch.status, batch.done) == (DocumentBatch.Status.DONE, 15)
    with batch.file.open("rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    assert archive.namelist() == EXPECTED
    docx = archive.read("先进个人/01_周明远/附件4_重庆市知识产权保护工作先进个人推荐审批表_周明远.docx")
    assert docx[:2] == b"PK"
    # The parent's connection (and the test's transaction) survived the children.
    assert Nomination.objects.filter(pk=package["first"].pk, rank=2).exists()
