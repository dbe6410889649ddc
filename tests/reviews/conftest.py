import datetime as dt

import pytest
from django.utils import timezone

from awards.models import Stage, StageKey
from nominations.models import Nomination, Status
from orgs.models import Organisation, Role, User
from orgs.services import grant_role
from tests.chain.conftest import campaign, demo, media_root, org, users  # noqa: F401
from tests.chain.helpers import collective, individual


@pytest.fixture
def forwarded(campaign, users, org):
    """Nominations as the districts sent them: FORWARDED with their ranks, submission stage over."""

    def make(specs):
        made = []
        ranks: dict = {}
        for i, (unit_name, category, extra) in enumerate(specs):
            unit = org(unit_name)
            if category == "individual":
                nom = individual(campaign, unit, users["unit_yubei"], seq=100 + i, **extra)
            else:
                nom = collective(campaign, unit, users["unit_yubei"], leaders=(), **extra)
            key = (nom.quota_id, category)
            ranks[key] = ranks.get(key, 0) + 1
            Nomination.objects.filter(pk=nom.pk).update(status=Status.FORWARDED, rank=ranks[key])
            nom.refresh_from_db()
            made.append(nom)
        Stage.objects.filter(campaign=campaign, key=StageKey.SUBMISSION).update(deadline=timezone.now() - dt.timedelta(minutes=1))
        return made

    return make


@pytest.fixture
def members(demo, users, org):
    """Three leading-group members: 刘志强 (host unit), one from 渝北区, one from 市公安局."""
    chongqing = Organisation.objects.get(name="重庆市", level="province")
    extra = []
    for username, home in (("member_yb", org("渝北区知识产权局")), ("member_ga", org("市公安局"))):
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": username, "organisation": home})
        grant_role(user=user, role=Role.GROUP_MEMBER, scope=chongqing)
        extra.append(user)
    return [users["member_liu"], *extra]
