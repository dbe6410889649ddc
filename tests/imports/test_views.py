"""The import and export pages: who may do what, the upload, the polled progress fragment."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from awards.models import Category
from awards.selectors import quota_holder_for
from nominations.models import ImportJob, Nomination, Status
from nominations.tasks import run_import
from orgs.models import Role, User
from orgs.services import grant_role
from tests.audit.helpers import audit_row_queries

from .helpers import job_for, person, queued, ranked, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(org):
    return org("渝北区知识产权保护中心")


@pytest.fixture
def staff(client, users):
    client.force_login(users["unit_yubei"])
    return users["unit_yubei"]


def _upload_url(campaign, unit):
    return reverse("nominations_io:upload", args=[campaign.slug, unit.pk])


def _xlsx(data, name="推荐对象.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_upload_queues_a_job_and_the_task_imports_it(client, campaign, unit, staff, django_capture_on_commit_callbacks):
    page = client.get(_upload_url(campaign, unit))
    assert page.status_code == 200
    assert "下载先进个人导入模板" in page.content.decode()
    data = workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1), person(campaign, 3)])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_upload_url(campaign, unit), {"category": Category.INDIVIDUAL, "file": _xlsx(data)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("nominations_io:job", args=[job.pk])
    assert (len(queued(callbacks)), job.status, job.unit, job.created_by) == (1, "queued", unit, staff)
    run_import(job_id=job.pk)
    assert Nomination.objects.filter(unit=unit, status=Status.DRAFT).count() == 2
    page = client.get(reverse("nominations_io:job", args=[job.pk])).content.decode()
    assert "已导入2名先进个人推荐对象（草稿）" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling


def test_upload_of_random_bytes_is_refused_on_the_form(client, campaign, unit, staff):
    response = client.post(_upload_url(campaign, unit), {"category": Category.INDIVIDUAL, "file": _xlsx(b"\x00garbage" * 100)})
    assert response.status_code == 200
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    assert (ImportJob.objects.count(), Nomination.objects.count()) == (0, 0)


def test_upload_by_unit_staff_of_another_district_is_404(client, campaign, unit, org):
    other = User.objects.create_user("unit_spb", password="x")
    grant_role(user=other, role=Role.UNIT_STAFF, scope=org("沙坪坝区知识产权维权援助中心"))
    client.force_login(other)
    data = workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1)])
    assert client.get(_upload_url(campaign, unit)).status_code == 404
    assert client.post(_upload_url(campaign, unit), {"category": Category.INDIVIDUAL, "file": _xlsx(data)}).status_code == 404
    assert client.get(reverse("nominations_io:template", args=[campaign.slug, "individual"]) + f"?unit={unit.pk}").status_code == 404
    assert (ImportJob.objects.count(), Nomination.objects.count()) == (0, 0)


@pytest.mark.parametrize("username", ["district_yubei", "office", "unit_police"])
def test_upload_for_a_unit_one_does_not_enter_for_is_404(client, campaign, unit, users, username):
    client.force_login(users[username])
    assert client.get(_upload_url(campaign, unit)).status_code == 404


def test_someone_elses_job_is_404(client, campaign, unit, users):
    job = job_for(campaign, unit, users["unit_yubei"], b"x")
    client.force_login(users["unit_police"])
    assert client.get(reverse("nominations_io:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("nominations_io:job_progress", args=[job.pk])).status_code == 404


def test_progress_fragment_shows_processed_over_total_and_polls_while_running(client, campaign, unit, staff):
    job = job_for(campaign, unit, staff, b"x")
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=10, processed_rows=4)
    url = reverse("nominations_io:job_progress", args=[job.pk])
    html = client.get(url).content.decode()
    assert "4 / 10" in html
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 1s"' in html
    assert '<progress id="import-bar" class="w-100" max="10" value="4">' in html
    page = client.get(reverse("nominations_io:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<script>" not in page


def test_progress_fragment_shows_the_row_by_row_report(client, campaign, unit, staff):
    rows = [person(campaign, 1), person(campaign, 3, 身份证号="500112198506010000")]
    job = job_for(campaign, unit, staff, workbook(campaign, Category.INDIVIDUAL, rows))
    run_import(job_id=job.pk)
    html = client.get(reverse("nominations_io:job_progress", args=[job.pk])).content.decode()
    assert "2 / 2" in html
    assert 'hx-trigger' not in html
    assert "<td class=\"text-nowrap\">第3行</td><td class=\"text-nowrap\">身份证号</td><td>身份证号应为18位，且校验位正确。</td>" in html
    assert "第3行【身份证号】：身份证号应为18位，且校验位正确。" in html
    assert Nomination.objects.count() == 0


def test_template_download(client, campaign, unit, staff):
    response = client.get(reverse("nominations_io:template", args=[campaign.slug, "collective"]) + f"?unit={unit.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames[0] == "先进集体"
    assert client.get(reverse("nominations_io:template", args=[campaign.slug, "nobody"])).status_code == 404


def test_screener_exports_the_summary_of_their_own_quota_only(client, campaign, unit, users, org):
    ranked(campaign, unit, 2)
    yubei = quota_holder_for(campaign, unit)
    spb = quota_holder_for(campaign, org("沙坪坝区知识产权维权援助中心"))
    client.force_login(users["district_yubei"])
    response = client.get(reverse("nominations_io:export_quota", args=[campaign.slug, yubei.organisation_id]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [ws.cell(row=r, column=3).value for r in (6, 7)] == ["候选01", "候选02"]
    assert client.get(reverse("nominations_io:export_quota", args=[campaign.slug, spb.organisation_id])).status_code == 404
    assert client.get(reverse("nominations_io:export_office", args=[campaign.slug])).status_code == 404
    client.force_login(users["unit_yubei"])
    assert client.get(reverse("nominations_io:export_quota", args=[campaign.slug, yubei.organisation_id])).status_code == 404


def test_office_exports_the_whole_campaign(client, campaign, unit, users):
    ranked(campaign, unit, 2, status=Status.FORWARDED)
    client.force_login(users["office"])
    response = client.get(reverse("nominations_io:export_office", args=[campaign.slug]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert (ws.cell(row=5, column=1).value, ws.cell(row=6, column=1).value, ws.cell(row=6, column=4).value) == ("报送单位", "渝北区", "候选01")


@pytest.mark.parametrize("count", [3, 30])
def test_export_page_runs_the_same_queries_for_3_and_30(client, campaign, unit, users, count, django_assert_num_queries):
    ranked(campaign, unit, count)
    quota = quota_holder_for(campaign, unit)
    client.force_login(users["district_yubei"])
    url = reverse("nominations_io:export_quota", args=[campaign.slug, quota.organisation_id])
    client.get(url)  # warm the per-process caches (content types)
    with django_assert_num_queries(EXPORT_PAGE_QUERIES + audit_row_queries()):
        response = client.get(url)
    assert response.status_code == 200


# campaign + its 4 prefetches (categories, caps, forms, stages), the quota, the nominees: 7 (the
# session, the user, the policy and the user's roles and scope come from the cache, core.versions;
# the session is written once a minute, accounts.policy.mark_seen); then the export's audit row
# (tests/audit/helpers.audit_row_queries): the same for 3 nominees as for 30.
EXPORT_PAGE_QUERIES = 7


def test_index_lists_what_the_user_may_import_and_export(client, campaign, users):
    client.force_login(users["unit_yubei"])
    html = client.get(reverse("nominations_io:index")).content.decode()
    assert "批量导入推荐对象：渝北区知识产权保护中心" in html
    client.force_login(users["district_yubei"])
    html = client.get(reverse("nominations_io:index")).content.decode()
    assert "推荐对象汇总表：渝北区" in html and "批量导入" not in html


def test_upload_when_the_campaign_is_closed_says_so_and_stores_nothing(client, campaign, unit, staff):
    campaign.status = "decided"
    campaign.save()
    data = workbook(campaign, Category.INDIVIDUAL, [person(campaign, 1)])
    response = client.post(_upload_url(campaign, unit), {"category": Category.INDIVIDUAL, "file": _xlsx(data)})
    assert response.status_code == 200
    assert "当前不在推荐阶段，不能导入" in response.content.decode()
    assert ImportJob.objects.count() == 0
