"""Window tasks: the instant by ETA, the sweeper catching up, idempotence, failures kept, reminders once."""

import datetime as dt
from unittest import mock

import pytest
from celery import shared_task
from django.utils import timezone

from core.models import Notification, TaskFailure
from core.tasks import ReliableTask
from publicity import services, tasks
from publicity.models import Notice, Objection

from .helpers import bulk_notice, unit_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(org):
    return org("渝北区知识产权保护中心")


@shared_task(base=ReliableTask, name="tests.publicity.always_fails")
def always_fails(*, notice_id: int) -> None:
    raise RuntimeError(f"cannot close {notice_id}")


def test_window_tasks_are_reliable():
    for task in (tasks.close_notice_task, tasks.open_notice_task, tasks.sweep_notices, tasks.send_reminders):
        assert task.acks_late is True and task.reject_on_worker_lost is True
        assert task.max_retries >= 3 and Exception in task.autoretry_for


def test_task_failing_past_its_retries_lands_in_task_failure():
    result = always_fails.apply(kwargs={"notice_id": 41})
    assert result.failed()
    (failure,) = TaskFailure.objects.all()  # one row after all the retries, not one per try
    assert failure.task == "tests.publicity.always_fails"
    assert failure.arguments == {"notice_id": 41}
    assert "cannot close 41" in failure.error and failure.resolved_at is None


def test_retried_task_that_then_succeeds_leaves_no_failure(campaign, users, unit):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    real = services.close_notice
    calls = []

    def flaky(notice_id, **kw):
        calls.append(notice_id)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        return real(notice_id, now=notice.closes_at)

    with mock.patch.object(services, "close_notice", flaky), mock.patch.object(tasks, "_wait_for"):
        tasks.close_notice_task.apply(kwargs={"notice_id": notice.pk})
    assert len(calls) == 2
    assert not TaskFailure.objects.exists()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CLOSED


def test_sweeper_closes_every_window_past_its_instant_once(campaign, users, unit, django_capture_on_commit_callbacks):
    now = timezone.now()
    past = [bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=now - dt.timedelta(hours=h)) for h in (1, 30)]
    running = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=now + dt.timedelta(days=2))
    with mock.patch.object(tasks.close_notice_task, "apply_async"):
        result = tasks.sweep_notices.apply().get()
        assert sorted(result["closed"]) == sorted(n.pk for n in past)
        assert tasks.sweep_notices.apply().get()["closed"] == []  # a second run finds nothing to do
    for n in past:
        n.refresh_from_db()
        assert n.status == Notice.Status.CLOSED
        assert n.history.filter(history_change_reason="close").count() == 1
    running.refresh_from_db()
    assert running.status == Notice.Status.OPEN


def test_close_is_idempotent(campaign, users, unit):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    assert services.close_notice(notice.pk, now=notice.closes_at - dt.timedelta(seconds=1)) is False  # not yet
    assert services.close_notice(notice.pk, now=notice.closes_at) is True
    notice.refresh_from_db()
    closed_at = notice.closed_at
    assert services.close_notice(notice.pk, now=notice.closes_at + dt.timedelta(hours=1)) is False
    notice.refresh_from_db()
    assert notice.closed_at == closed_at
    assert notice.history.filter(history_change_reason="close").count() == 1


def test_eta_is_queued_at_the_instant_only_when_near(campaign, users, unit):
    now = timezone.now()
    near = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=now + dt.timedelta(minutes=5))
    far = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=now + dt.timedelta(days=5))
    with mock.patch.object(tasks.close_notice_task, "apply_async") as queued:
        assert tasks.schedule_notice(far.pk, now=now) == []
        assert tasks.schedule_notice(near.pk, now=now) == ["close"]
        assert tasks.schedule_notice(near.pk, now=now) == []  # queued once
        assert queued.call_args.kwargs == {"kwargs": {"notice_id": near.pk}, "eta": near.closes_at}
        # The sweeper queues the far one once it comes within reach.
        later = far.closes_at - dt.timedelta(minutes=10)
        with mock.patch.object(timezone, "now", return_value=later):
            assert tasks.sweep_notices.apply().get()["queued"] == [far.pk]
        assert queued.call_args.kwargs["eta"] == far.closes_at
        assert queued.call_count == 2


def test_opening_a_notice_queues_nothing_a_week_ahead(campaign, users, unit, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.close_notice_task, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            unit_notice(campaign, unit, users["unit_yubei"])
    assert queued.call_count == 0  # the sweeper queues it when the instant is near


def test_broker_away_does_not_break_opening_a_notice(campaign, users, unit, django_capture_on_commit_callbacks):
    now = timezone.now()
    n = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=now + dt.timedelta(minutes=1))
    with mock.patch.object(tasks.close_notice_task, "apply_async", side_effect=ConnectionError("broker down")):
        assert tasks.schedule_notice(n.pk, now=now) == []
    with mock.patch.object(tasks.close_notice_task, "apply_async"):
        assert tasks.schedule_notice(n.pk, now=now) == ["close"]  # retried by the next sweep


def test_scheduled_notice_opens_at_its_instant(campaign, users, unit, django_capture_on_commit_callbacks):
    start = timezone.now() + dt.timedelta(minutes=2)
    with mock.patch.object(tasks.open_notice_task, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            n = unit_notice(campaign, unit, users["unit_yubei"], opens_at=start)
    assert queued.call_args.kwargs["eta"] == start
    assert services.start_notice(n.pk) is False
    with mock.patch.object(timezone, "now", return_value=start):
        assert services.start_notice(n.pk) is True
        assert services.start_notice(n.pk) is False
    n.refresh_from_db()
    assert n.status == Notice.Status.OPEN


def test_reminder_for_a_window_closing_tomorrow_is_sent_once(campaign, users, unit):
    now = timezone.now()
    notice = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=now + dt.timedelta(hours=20))
    bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=now + dt.timedelta(days=3))  # not yet
    first = tasks.send_reminders.apply(kwargs={"now": now.isoformat()}).get()
    second = tasks.send_reminders.apply(kwargs={"now": (now + dt.timedelta(hours=1)).isoformat()}).get()
    assert first == 2 and second == 0
    notes = Notification.objects.filter(key=f"closing:{notice.pk}")
    # The unit's staff and the district screener who receives its nominees; not the city office.
    assert sorted(notes.values_list("user__username", flat=True)) == ["district_yubei", "unit_yubei"]
    assert "24时截止" in notes.first().text


def test_new_objections_are_told_to_the_responsible_staff_once_by_the_sweep(campaign, users, unit, django_capture_on_commit_callbacks):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    with mock.patch("celery.app.task.Task.apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            o = services.file_objection(entry=notice.entries.get(), name="甲", contact="乙", facts="反映的具体问题如下。",
                                        client="x")
    queued.assert_not_called()  # filing queues no task: the public form stays light
    assert not Notification.objects.filter(key=f"objection:{o.pk}").exists()

    assert tasks.sweep_notices.apply().get()["told"] == 2
    assert tasks.sweep_notices.apply().get()["told"] == 0
    notes = Notification.objects.filter(key=f"objection:{o.pk}")
    assert sorted(notes.values_list("user__username", flat=True)) == ["district_yubei", "unit_yubei"]
    assert o.receipt_code in notes.first().text
    o.refresh_from_db()
    assert o.staff_notified_at is not None


def test_objections_are_told_in_batches_with_the_same_queries_for_2_and_20(campaign, users, unit, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notice = unit_notice(campaign, unit, users["unit_yubei"])
    entry = notice.entries.get()

    def file(n):
        return [
            services.file_objection(entry=entry, name=f"甲{i}", contact="乙", facts="反映的具体问题如下。", client=f"c{i}")
            for i in range(n)
        ]

    file(2)
    with CaptureQueriesContext(connection) as few:
        assert tasks.tell_staff_of_objections() == 2  # one digest for each of the two responsible staff
    file(20)
    with CaptureQueriesContext(connection) as many:
        assert tasks.tell_staff_of_objections(batch=500) == 2
    assert len(few.captured_queries) == len(many.captured_queries)
    assert Objection.objects.filter(staff_notified_at__isnull=True).count() == 0
    # the reminder reads no objector's name or contact (encrypted, and not shown)
    assert not any("objector_contact" in q["sql"] for q in many.captured_queries)


def test_several_new_objections_on_a_notice_are_one_digest_per_staff_member_and_batch(campaign, users, unit):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    entry = notice.entries.get()
    filed = [
        services.file_objection(entry=entry, name=f"甲{i}", contact="乙", facts="反映的具体问题如下。", client=f"c{i}")
        for i in range(7)
    ]
    assert tasks.tell_staff_of_objections(batch=4) == 4  # two batches, one digest each for two staff members
    notes = Notification.objects.filter(user=users["district_yubei"]).filter(key__startswith="objections:").order_by("pk")
    first, second = notes
    assert first.key == f"objections:{notice.pk}:{filed[0].pk}-{filed[3].pk}"
    assert "新收到4条异议" in first.text and notice.title[:20] in first.text
    assert all(o.receipt_code in first.text for o in filed[:4]) and filed[4].receipt_code not in first.text
    assert first.url == f"/publicity/objections/?notice={notice.pk}"
    assert "新收到3条异议" in second.text and filed[6].receipt_code in second.text
    assert tasks.tell_staff_of_objections() == 0  # told once
    # more than five: the first five codes and 等
    more = [
        services.file_objection(entry=entry, name=f"乙{i}", contact="丙", facts="反映的具体问题如下。", client=f"d{i}")
        for i in range(6)
    ]
    assert tasks.tell_staff_of_objections() == 2
    text = Notification.objects.get(user=users["unit_yubei"], key__endswith=f"-{more[-1].pk}").text
    assert "新收到6条异议" in text and more[4].receipt_code in text and more[5].receipt_code not in text
    assert "等），请及时核查" in text


def test_a_filing_leaves_the_staff_pages_cached_until_the_sweep_tells_it(campaign, users, unit, django_capture_on_commit_callbacks):
    """core.versions.DATA_LATER_ON_CREATE: a surge of filings does not re-render every staff page per filing."""
    from core.versions import DATA, version

    notice = unit_notice(campaign, unit, users["unit_yubei"])
    before = version(DATA)
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.file_objection(entry=notice.entries.get(), name="甲", contact="乙", facts="反映的具体问题如下。",
                                            client="x")
    assert version(DATA) == before

    tasks.sweep_notices.apply().get()
    told = version(DATA)
    assert told > before

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_objection(objection, to=users["unit_yubei"], actor=users["unit_yubei"])
    assert version(DATA) > told  # a change by staff shows at once


def test_the_digest_links_the_staff_member_to_the_notices_objections(client, campaign, users, unit):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    other = bulk_notice(campaign, unit, users["unit_yubei"], entries=1)
    filed = [
        services.file_objection(entry=notice.entries.get(), name=f"甲{i}", contact="乙", facts="反映的具体问题如下。",
                                client=f"c{i}")
        for i in range(3)
    ]
    elsewhere = services.file_objection(entry=other.entries.get(), name="丙", contact="丁", facts="反映的具体问题如下。",
                                        client="c9")
    tasks.tell_staff_of_objections()
    digest = Notification.objects.get(user=users["district_yubei"], key__startswith=f"objections:{notice.pk}:")
    client.force_login(users["district_yubei"])
    html = client.get(digest.url).content.decode()
    assert all(o.receipt_code in html for o in filed) and elsewhere.receipt_code not in html
    single = Notification.objects.get(user=users["district_yubei"], key=f"objection:{elsewhere.pk}")
    assert client.get(single.url).status_code == 200
