"""Two reviewers take the last slot at the same moment: exactly one succeeds (DESIGN §4, quotas under a row lock).

Runs with real parallel transactions: on PostgreSQL (the integration pass) the quota row lock
(SELECT ... FOR UPDATE) serialises them; on SQLite, BEGIN IMMEDIATE does.
"""

import threading

import pytest
from django.db import connection, connections

from awards.models import Campaign
from core.demo import LIVE_SLUG
from nominations import services
from nominations.models import Nomination, Status
from nominations.rules import RuleError
from orgs.models import Organisation, User
from tests.chain.helpers import individual


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_cannot_both_take_the_last_slot(demo, media_root):
    campaign = Campaign.objects.get(slug=LIVE_SLUG)
    court = Organisation.objects.get(name="渝北区人民法院")
    staff, screener = User.objects.get(username="unit_yubei"), User.objects.get(username="district_yubei")
    other = User.objects.get(username="office")
    noms = [individual(campaign, court, staff, seq=i) for i in range(3)]
    Nomination.objects.filter(pk__in=[n.pk for n in noms]).update(status=Status.SUBMITTED)
    services.accept_nomination(noms[0], actor=screener)  # one slot of two left

    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def accept(nom, actor):
        try:
            barrier.wait(timeout=10)
            services.accept_nomination(nom, actor=actor)
            outcomes[nom.pk] = "accepted"
        except RuleError as exc:
            outcomes[nom.pk] = str(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(noms[1], screener)), threading.Thread(target=accept, args=(noms[2], other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes.values()) == ["accepted", "渝北区已推荐先进个人2名，名额为2名。"], (connection.vendor, outcomes)
    assert Nomination.objects.filter(quota=noms[0].quota, status=Status.ACCEPTED).count() == 2
