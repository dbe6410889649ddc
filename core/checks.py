"""System checks of the task settings (``manage.py check``; the deploy check runs them too)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


def longest_unacked_delay() -> int:
    """The longest a message waits in a worker before it runs: an ETA up to the publicity horizon,
    or a retry countdown up to ReliableTask's backoff ceiling (both held unacknowledged)."""
    from core.tasks import ReliableTask

    return max(int(getattr(settings, "PUBLICITY_ETA_HORIZON", 1800)), ReliableTask.retry_backoff_max)


def task_limits() -> dict[str, tuple[float | None, float | None]]:
    """``{task name: (soft, hard)}`` of every task of the project, with the settings' defaults."""
    from django.utils.module_loading import autodiscover_modules

    from config.celery import app

    autodiscover_modules("tasks")  # not app.loader.import_default_modules(): that runs the checks again
    conf = app.conf
    return {
        name: (task.soft_time_limit or conf.task_soft_time_limit, task.time_limit or conf.task_time_limit)
        for name, task in sorted(app.tasks.items())
        if not name.startswith("celery.")
    }


@register(Tags.compatibility, "celery")
def check_task_limits(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    limits = task_limits()
    for name, (soft, hard) in limits.items():
        if not hard:
            errors.append(Error(f"任务 {name} 没有硬时间限制（time_limit）。", id="core.E101"))
        elif soft and soft >= hard:
            errors.append(
                Error(f"任务 {name} 的软时间限制（{soft}秒）应小于硬时间限制（{hard}秒）。", id="core.E102")
            )
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        visibility = int((settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}).get("visibility_timeout", 3600))
        wait = longest_unacked_delay()
        for name, (_soft, hard) in limits.items():
            if hard and hard + wait >= visibility:
                errors.append(
                    Error(
                        f"任务 {name} 的硬时间限制（{hard}秒）加最长延迟（{wait}秒）不小于 Redis 可见性超时（{visibility}秒）："
                        "未确认的消息会被重新投递给另一个工作进程，任务可能同时执行两次。",
                        hint="调大 CELERY_VISIBILITY_TIMEOUT，或调小该任务的 time_limit。",
                        id="core.E103",
                    )
                )
    return errors
