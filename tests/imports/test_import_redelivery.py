"""The import task delivered twice (a redelivery, a recovery, a double send) imports once."""

import pytest

from awards.models import Category
from core.models import TaskRun
from nominations.models import ImportJob, Nomination
from nominations.tasks import run_import

from .helpers import job_for, person, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(campaign, org, users):
    unit = org("渝北区知识产权保护中心")
    return job_for(
        campaign,
        unit,
        users["unit_yubei"],
        workbook(campaign, Category.INDIVIDUAL, [person(campaign, s) for s in (1, 2)]),
    )


def deliver(task_id: str, job_id: int):
    """What a worker does with a message: the request of the delivery, then the task's __call__."""
    run_import.push_request(id=task_id, called_directly=False, is_eager=False, retries=0,
                            delivery_info={"routing_key": "celery"}, kwargs={"job_id": job_id})  # fmt: skip
    try:
        return run_import(job_id=job_id)
    finally:
        run_import.pop_request()


def test_the_same_message_twice_imports_once(job):
    assert deliver("m1", job.pk) == "done"
    assert deliver("m1", job.pk) is None  # the run is done: not run again
    assert Nomination.objects.filter(unit=job.unit).count() == 2
    assert TaskRun.objects.get(task_id="m1").deliveries == 1


def test_two_messages_for_one_job_import_once(job):
    assert deliver("m1", job.pk) == "done"
    assert deliver("m2", job.pk) == "done"  # the job row's state machine: done is done
    assert Nomination.objects.filter(unit=job.unit).count() == 2
    assert ImportJob.objects.get(pk=job.pk).created_count == 2


def test_a_delivery_after_a_worker_died_mid_import_imports_once(job):
    # The killed worker had started it: a run of a dead process, the job left running, nothing committed.
    TaskRun.objects.create(
        task_id="m1", task=run_import.name, status="started", pid=2**22 - 1, hostname="h", deliveries=1
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1, total_rows=2)
    TaskRun.objects.filter(task_id="m1").update(updated_at="2020-01-01T00:00:00Z")
    assert deliver("m1", job.pk) == "done"
    assert Nomination.objects.filter(unit=job.unit).count() == 2
    assert TaskRun.objects.get(task_id="m1").deliveries == 2
