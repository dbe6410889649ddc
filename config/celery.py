"""The Celery application.

The broker comes from settings: Redis when ``REDIS_URL`` is set, otherwise kombu's filesystem
transport, which carries tasks between separate web, worker and beat processes with no server.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("awards")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
