"""The scale generator (issue 8) and the pages it is for: the same SQL queries at every size.

``generate("chongqing")`` is the quick size; ``generate("provinces")`` (four provinces, four times the
nominations) is the larger one the query counts are compared with. The national size itself is built
by ``benchmarks/scale.py`` on PostgreSQL, not here.
"""

import pytest
from django.core.management import call_command
from django.db import transaction

from awards.models import Campaign, Quota
from benchmarks.pagequeries import PAGES, page_queries
from core.scale import BENCH_PASSWORD, SIZES, generate, plan_tree, slug_for
from nominations.models import QUOTA_STATUSES, Event, Nomination
from orgs.models import Organisation, User
from orgs.permissions import scope_roots
from publicity.models import Notice, Scope
from reviews.models import Review

pytestmark = pytest.mark.django_db


def _names(slug):
    campaign = Campaign.objects.get(slug=slug)
    orgs = list(Organisation.objects.filter(quotas__campaign=campaign).order_by("path").values_list("name", flat=True))
    noms = list(Nomination.objects.filter(campaign=campaign).order_by("id").values_list("name", "unit__name", "status"))
    return orgs, noms


def test_chongqing_size_counts_paths_history_and_grants():
    result = generate("chongqing", seed=1)
    campaign = result.campaign
    size = SIZES["chongqing"]
    holders = size.districts + size.departments
    assert result.organisations == holders * (1 + size.units) == 840
    assert Nomination.objects.filter(campaign=campaign).count() == size.nominations == 300
    # The materialised path computed by the generator is the one Organisation.save() would write.
    for org in Organisation.objects.filter(quotas__campaign=campaign).select_related("parent")[:40]:
        assert org.path == f"{org.parent.path}{org.pk}/" and org.depth == org.path.count("/") - 1
        units = list(org.children.all())
        assert len(units) == size.units and all(u.path == f"{org.path}{u.pk}/" for u in units)
    # A new organisation after the bulk insert gets a fresh id (the sequence was moved on).
    extra = Organisation.objects.create(name="新单位", parent=org, level="unit")
    assert extra.pk > max(u.pk for u in units)
    # Every stage is there, no quota is overrun, and the history and events exist.
    statuses = set(Nomination.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert statuses >= {"draft", "unit_publicity", "unit_ready", "submitted", "returned", "accepted", "forwarded", "cancelled", "withdrawn"}
    for quota in Quota.objects.filter(campaign=campaign):
        for category in ("collective", "individual"):
            used = Nomination.objects.filter(quota=quota, category=category, status__in=QUOTA_STATUSES).count()
            assert used <= quota.max_for(category)
    assert Nomination.history.filter(campaign_id=campaign.pk).count() == 300
    assert Organisation.history.filter(path__startswith=campaign.root.path).count() >= 840
    assert Event.objects.filter(nomination__campaign=campaign).count() > 300
    assert Review.objects.filter(campaign=campaign).count() == result.reviews == Nomination.objects.filter(
        campaign=campaign, status="forwarded").count()
    assert Notice.objects.filter(campaign=campaign, scope=Scope.FINAL).count() == 1
    # The benchmark users log in with the known password and act for their scope through guardian.
    unit_user = User.objects.get(username=result.users["unit"][0])
    assert unit_user.check_password(BENCH_PASSWORD)
    assert scope_roots(unit_user) == [unit_user.organisation]
    office = User.objects.get(username=result.users["office"][0])
    assert scope_roots(office) == [campaign.root]


def test_same_seed_same_names_other_seed_other_names():
    with transaction.atomic():
        generate("chongqing", seed=1)
        first = _names(slug_for("chongqing"))
        transaction.set_rollback(True)
    with transaction.atomic():
        generate("chongqing", seed=1)
        again = _names(slug_for("chongqing"))
        transaction.set_rollback(True)
    assert first == again and len(first[0]) == 40 and len(first[1]) == 300
    assert plan_tree(SIZES["chongqing"], ["重庆市"], 2) != plan_tree(SIZES["chongqing"], ["重庆市"], 1)


def test_command_refuses_a_second_run(capsys):
    call_command("generate_scale", "--size", "chongqing", "--seed", "3")
    assert "机构840个" in capsys.readouterr().out
    with pytest.raises(Exception, match="已生成"):
        call_command("generate_scale", "--size", "chongqing")


# --- queries per page at two sizes ---------------------------------------------------------------------


def test_pages_run_the_same_queries_at_chongqing_size_and_four_times_larger():
    small = generate("chongqing", seed=1)
    large = generate("provinces", seed=1)
    assert large.nominations == 4 * small.nominations and large.organisations == 4 * small.organisations
    at_small, at_large = page_queries(small.campaign), page_queries(large.campaign)
    assert set(at_small) == set(PAGES)
    assert at_small == at_large
    assert at_small["notice_cached"] == 0
