"""The leading-group member's ballot: a vote (or a score) per nominee, 回避 where there is a conflict."""

from decimal import Decimal

import pytest
from django.urls import reverse

from awards.models import Campaign
from core.demo import LIVE_SLUG
from reviews.models import Review, Vote

from .helpers import SPECS, start_initial, through_initial

pytestmark = pytest.mark.django_db
URL = reverse("reviews:vote", args=[LIVE_SLUG])


@pytest.fixture
def ballot(campaign, users, forwarded, members):
    noms = forwarded(SPECS[:3])
    through_initial(campaign, users["office"])
    return noms


def _review(nom):
    return Review.objects.get(nomination=nom)


def test_member_sees_every_nominee_with_a_form_and_no_conflict(client, users, ballot):
    client.force_login(users["member_liu"])

    body = client.get(URL).content.decode()

    for nom in ballot:
        assert nom.display_name in body
        assert f'name="v{_review(nom).pk}-choice"' in body
    assert "回避" not in body.split("</h1>", 1)[1].replace("按规定回避", "")


def test_conflicted_rows_show_回避_and_no_form(client, ballot, members):
    member_yb = members[1]  # 渝北区知识产权局
    client.force_login(member_yb)

    body = client.get(URL).content.decode()

    yubei = _review(ballot[0])  # 渝北区人民法院
    spb = _review(ballot[2])  # 沙坪坝区
    row = body[body.index(f'id="v{yubei.pk}"'):]
    row = row[: row.index("</tr>")]
    assert 'data-testid="conflict">回避<' in row
    assert "<form" not in row
    assert f'name="v{spb.pk}-choice"' in body


def test_vote_is_recorded_and_can_be_changed(client, ballot, members):
    member = members[0]
    client.force_login(member)
    review = _review(ballot[2])

    first = client.post(URL, {"review": review.pk, f"v{review.pk}-choice": "approve"}, follow=True)
    client.post(URL, {"review": review.pk, f"v{review.pk}-choice": "reject"})

    assert f"已记录您对{ballot[2].display_name}的表决意见。" in first.content.decode()
    assert Vote.objects.get(review=review, member=member).choice == "reject"
    assert "已表决：反对" in client.get(URL).content.decode()


def test_a_forged_vote_on_a_conflicted_row_shows_the_service_message(client, ballot, members):
    member_yb = members[1]
    client.force_login(member_yb)
    review = _review(ballot[0])

    response = client.post(URL, {"review": review.pk, f"v{review.pk}-choice": "approve"})

    assert response.status_code == 400
    assert "按规定回避，不参加表决" in response.content.decode()
    assert not Vote.objects.filter(review=review).exists()


def test_a_vote_without_a_choice_is_refused(client, ballot, members):
    client.force_login(members[0])
    review = _review(ballot[0])

    response = client.post(URL, {"review": review.pk})

    assert "请选择同意、弃权或反对。" in response.content.decode()


def test_voting_before_the_stage_opens_shows_the_message(client, campaign, users, forwarded, members):
    noms = forwarded(SPECS[:1])
    start_initial(campaign, users["office"])
    review = _review(noms[0])
    client.force_login(members[0])

    page = client.get(URL).content.decode()
    response = client.post(URL, {"review": review.pk, f"v{review.pk}-choice": "approve"})

    assert "综合评审当前未在进行中" in page
    assert "“领导小组综合评审”尚未开始。" in response.content.decode()


def test_scores_mode_shows_a_score_field_and_records_the_score(client, campaign, ballot, members):
    Campaign.objects.filter(pk=campaign.pk).update(review_mode=Campaign.ReviewMode.SCORES)
    client.force_login(members[0])
    review = _review(ballot[1])

    body = client.get(URL).content.decode()
    out_of_range = client.post(URL, {"review": review.pk, f"v{review.pk}-score": "120"})
    client.post(URL, {"review": review.pk, f"v{review.pk}-score": "88.5"})

    assert f'name="v{review.pk}-score"' in body and f'name="v{review.pk}-choice"' not in body
    assert "评分须在0至100之间。" in out_of_range.content.decode()
    assert Vote.objects.get(review=review, member=members[0]).score == Decimal("88.50")
