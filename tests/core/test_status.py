"""The system status page (administrators only) and the load balancer's liveness probe."""

from __future__ import annotations

import pytest

from core.models import WorkerHeartbeat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_status_page_lists_heartbeats_for_the_administrator(demo, login):
    WorkerHeartbeat.objects.create(source="beat", hostname="worker-7", pid=4242, broker="redis")

    response = login("admin").get("/status/")

    assert response.status_code == 200
    assert "worker-7" in response.content.decode()


@pytest.mark.parametrize("username", ["office", "auditor", "district_yubei"])
def test_status_page_is_404_for_everyone_else(demo, login, username):
    assert login(username).get("/status/").status_code == 404


def test_admin_home_shows_the_latest_heartbeat(demo, login):
    WorkerHeartbeat.objects.create(source="beat", hostname="worker-7", pid=4242, broker="redis")

    content = login("admin").get("/").content.decode()

    assert "（worker-7）" in content
    assert "尚无心跳" not in content
