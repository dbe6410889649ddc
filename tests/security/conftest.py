"""Fixtures for the personal-data tests (PIPL; 等保2.0 三级): the demo users and a unit in 渝北区."""

import datetime as dt

import pytest

from orgs.models import Organisation
from tests.nominations.conftest import campaign, media_root, users  # the same demo lookups and private media


@pytest.fixture
def yubei(demo):
    return Organisation.objects.get(name="渝北区知识产权保护中心")


@pytest.fixture
def today():
    return dt.date.today()
