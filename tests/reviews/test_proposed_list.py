"""Adjusting the proposed list by hand (services.set_proposed): ranks stay unique, repeats change nothing."""

import pytest

from reviews import services
from reviews.models import Review

from .helpers import SPECS, through_initial

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed(campaign, users, forwarded):
    noms = forwarded([SPECS[0], SPECS[2], SPECS[4]])  # three individuals
    through_initial(campaign, users["office"])
    return [Review.objects.get(nomination=n) for n in noms]


def _ranks(reviews):
    return [Review.objects.get(pk=r.pk).proposed_rank for r in reviews]


def test_a_nominee_added_after_one_was_taken_off_gets_a_new_rank(users, passed):
    office = users["office"]
    a, b, c = passed
    for r in (a, b):
        services.set_proposed(r, proposed=True, actor=office)
    services.set_proposed(a, proposed=False, actor=office)

    services.set_proposed(c, proposed=True, actor=office)

    assert _ranks(passed) == [None, 2, 3]


def test_proposing_twice_keeps_the_rank(users, passed):
    office = users["office"]
    a, b, _c = passed
    services.set_proposed(a, proposed=True, actor=office)
    services.set_proposed(b, proposed=True, actor=office)

    services.set_proposed(a, proposed=True, actor=office)

    assert _ranks(passed)[:2] == [1, 2]
