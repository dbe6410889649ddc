"""The Celery application.

The broker comes from settings: Redis when ``REDIS_URL`` is set, otherwise kombu's filesystem
transport, which carries tasks between separate web, worker and beat processes with no server.
"""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("awards")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The worker replaces the root handlers with its own: mask personal data there too (core.pii).
@after_setup_logger.connect
def _mask_personal_data(logger=None, **kwargs):
    from core.pii import install

    install(logger)


after_setup_task_logger.connect(_mask_personal_data)
