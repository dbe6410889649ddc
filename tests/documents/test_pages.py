"""Page images of every form, for a person to look at: $VAR_DIR/pages/*.png (pdftoppm)."""

from __future__ import annotations

import pytest

from documents import selectors
from documents.forms import (
    collective_approval,
    consultation,
    decision,
    individual_approval,
    initial_review,
    notice,
    summary,
)
from nominations.models import Nomination

from .conftest import glyph_warnings
from .helpers import render_page
from .test_official import _reviews, district_notice  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def fetch(nom):
    return selectors.with_form_data(Nomination.objects.filter(pk=nom.pk)).get()


def test_page_images_of_every_form(package, national_nominee, district_notice, pages_dir, weasy_log):  # noqa: F811
    first, coll, nat = fetch(package["first"]), fetch(package["collective"]), fetch(national_nominee)
    quota = package["quota"]
    campaign = selectors.campaign_for_documents(quota.campaign_id)
    _reviews(package)
    reviews, _ = selectors.decision_reviews(campaign)
    pages = {
        "individual_approval_cover": (individual_approval.pdf(individual_approval.context(first)), 1),
        "individual_approval_form": (individual_approval.pdf(individual_approval.context(first)), 2),
        "collective_approval_form": (collective_approval.pdf(collective_approval.context(coll)), 2),
        "consultation": (consultation.pdf(consultation.context(first)), 1),
        "initial_review_national": (initial_review.pdf(initial_review.context(nat)), 1),
        "summary": (summary.pdf(summary.context(campaign, selectors.package_nominations(quota), quota=quota)), 1),
        "notice": (notice.pdf(notice.context(district_notice, selectors.notice_entries(district_notice))), 1),
        "decision": (decision.pdf(decision.context(campaign, reviews, awarded=False)), 1),
        "decision_annex": (decision.pdf(decision.context(campaign, reviews, awarded=False)), 2),
    }
    for name, (data, page) in pages.items():
        png = render_page(data, pages_dir / name, page=page, dpi=80)
        assert png.stat().st_size > 8_000, name  # a blank page is a few hundred bytes
    assert glyph_warnings(weasy_log) == []
