"""Outside a test transaction: rows are written on real commit, and the database flush at the end
(DELETE FROM on SQLite, TRUNCATE on PostgreSQL) still empties the append-only table."""

import pytest

from audit.chain import verify
from audit.models import Action, AuditEvent
from nominations import services as nominations
from orgs.models import Organisation, User
from tests.chain.helpers import individual


@pytest.mark.django_db(transaction=True)
def test_service_row_written_on_commit_and_table_flushed_after(demo):
    from awards.models import Campaign
    from core.demo import LIVE_SLUG

    campaign = Campaign.objects.get(slug=LIVE_SLUG)
    staff = User.objects.get(username="unit_yubei")
    nom = individual(campaign, Organisation.objects.get(name="渝北区人民法院"), staff, seq=401)
    nominations.withdraw_nomination(nom, reason="本人申请不再参评", actor=staff)
    rows = AuditEvent.objects.filter(action=Action.STATE_CHANGE, object_id=str(nom.pk)).order_by("id")
    assert [r.detail["新状态"] for r in rows] == ["draft", "withdrawn"]
    assert verify().ok


@pytest.mark.django_db
def test_after_a_flush_the_trail_starts_again_and_verifies(demo):
    assert verify().ok
