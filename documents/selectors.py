"""Reads for the documents: the records a form prints, fetched in a fixed number of queries."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404

from awards.models import Campaign, Quota
from awards.selectors import access_campaign
from nominations.models import Appraisal, Consultation, Honour, Leader, Nomination, Status, UnitProcedure
from orgs.models import Organisation, User
from publicity.models import Notice, NoticeEntry
from reviews.models import Final, Review

from .models import DocumentBatch
from .permissions import (
    can_download_batch,
    can_download_nomination,
    can_download_office,
    can_download_package,
)

# A district's package: what it accepted and what it sent on (its ranked list).
PACKAGE_STATUSES = (Status.ACCEPTED, Status.FORWARDED)
# Bumped when a form's layout changes, so that cached batches are built again.
DOCUMENTS_VERSION = 1


def with_form_data(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "campaign__root", "campaign__office", "unit", "organisation", "division", "quota__organisation", "review",
    ).prefetch_related(
        "campaign__forms", "campaign__categories", "appraisals", "honours", "consultations",
        Prefetch("notice_entries", queryset=NoticeEntry.objects.with_objection_counts()),
    )


def campaign_for_documents(pk: int) -> Campaign:
    """The campaign with what every form reads from it (numbers, copies, titles, levels)."""
    return (Campaign.objects.select_related("root", "office", "host_unit")
            .prefetch_related("forms", "categories").get(pk=pk))


def access_form_nomination(user: User, pk: int) -> Nomination:
    nom = with_form_data(Nomination.objects.filter(pk=pk)).first()
    if nom is None or not can_download_nomination(user, nom):
        raise Http404("没有找到该推荐对象，或您无权查看。")
    return nom


def access_package(user: User, slug: str, quota_pk: int) -> tuple[Campaign, Quota]:
    campaign = access_campaign(user, slug)
    quota = Quota.objects.select_related("organisation", "campaign").filter(campaign=campaign, pk=quota_pk).first()
    if quota is None or not can_download_package(user, quota):
        raise Http404("没有找到该报送单位的推荐材料，或您无权查看。")
    return campaign, quota


def access_office(user: User, slug: str) -> Campaign:
    campaign = access_campaign(user, slug)
    if not can_download_office(user, campaign):
        raise Http404("没有找到该评选表彰活动的全部推荐材料，或您无权查看。")
    return campaign


def access_batch(user: User, pk: int) -> DocumentBatch:
    batch = DocumentBatch.objects.select_related("campaign", "quota__organisation", "quota__campaign", "created_by").filter(pk=pk).first()
    if batch is None or not can_download_batch(user, batch):
        raise Http404("没有找到该批量文书，或您无权查看。")
    return batch


def package_nominations(quota: Quota) -> list[Nomination]:
    qs = Nomination.objects.filter(quota=quota, status__in=PACKAGE_STATUSES)
    return list(with_form_data(qs).order_by("category", "rank", "unit__path", "pk"))


def office_nominations(campaign: Campaign) -> list[Nomination]:
    qs = Nomination.objects.filter(campaign=campaign, status=Status.FORWARDED)
    return list(with_form_data(qs).order_by("quota__organisation__path", "category", "rank", "pk"))


def office_quotas(campaign: Campaign) -> list[Quota]:
    return list(Quota.objects.filter(campaign=campaign, parent__isnull=True).select_related("organisation").order_by("organisation__path"))


def unit_procedures(campaign: Campaign, units) -> dict[int, list[UnitProcedure]]:
    out: dict[int, list[UnitProcedure]] = {}
    for p in UnitProcedure.objects.filter(campaign=campaign, unit__in=units).order_by("held_on", "pk"):
        out.setdefault(p.unit_id, []).append(p)
    return out


def decision_reviews(campaign: Campaign) -> tuple[list[Review], bool]:
    """The final list once awarded; before the decision, the proposed list still in the running."""
    base = Review.objects.filter(campaign=campaign).select_related("nomination__unit", "nomination__organisation",
                                                                    "quota__organisation")
    awarded = list(base.filter(final=Final.AWARDED).order_by("category", "proposed_rank", "quota__organisation__path",
                                                               "submitter_rank"))
    if awarded:
        return awarded, True
    proposed = base.filter(proposed=True).exclude(nomination__status=Status.CANCELLED).exclude(final__in=(Final.CANCELLED, Final.REVOKED))
    return list(proposed.order_by("category", "proposed_rank", "quota__organisation__path", "submitter_rank")), False


def decision_date(campaign: Campaign):
    from reviews.models import Meeting

    meeting = Meeting.objects.filter(campaign=campaign, kind=Meeting.Kind.DECISION).order_by("-held_on", "-id").first()
    return meeting.held_on if meeting else None


def notice_for_staff(user: User, pk: int) -> Notice:
    from publicity.permissions import can_view_notice

    notice = Notice.objects.select_related("campaign", "issuer").filter(pk=pk).first()
    if notice is None or not can_view_notice(user, notice):
        raise Http404("没有找到该公示，或您无权查看。")
    return notice


def public_notice(pk: int) -> Notice:
    notice = Notice.objects.public().select_related("campaign", "issuer").filter(pk=pk).first()
    if notice is None:
        raise Http404("没有找到该公示。")
    return notice


def notice_entries(notice: Notice) -> list[NoticeEntry]:
    """Only the public columns are read: nothing else can reach the PDF."""
    return list(NoticeEntry.objects.filter(notice=notice)
                .only("id", "notice_id", "position", "category", "name", "unit_and_post", "brief_deeds")
                .order_by("position"))


def notices_of(campaign: Campaign, user: User) -> list[Notice]:
    from publicity.permissions import visible_notices_q

    return list(Notice.objects.filter(campaign=campaign).filter(visible_notices_q(user)).select_related("issuer")
                .order_by("-opens_at", "-id"))


def latest_batch(campaign: Campaign, quota: Quota | None) -> DocumentBatch | None:
    return DocumentBatch.objects.filter(campaign=campaign, scope_key=scope_key(quota)).order_by("-created_at", "-id").first()


def scope_key(quota: Quota | None) -> str:
    return f"quota:{quota.pk}" if quota else "office"


def _max_history(model, **filters) -> int:
    return model.history.filter(**filters).aggregate(m=Max("history_id"))["m"] or 0


def content_hash(campaign: Campaign, quota: Quota | None, nominations: list[Nomination]) -> str:
    """The version of what a batch would contain: any change to a printed record changes it.

    ``updated_at`` and the history ids catch every saved change, deletions of appraisals, honours
    and consultations included; rank and status are read directly because a bulk ``update()``
    leaves no history.
    """
    ids = sorted(n.pk for n in nominations)
    org_ids = sorted({i for n in nominations for i in (n.unit_id, n.organisation_id, n.quota.organisation_id) if i})
    state = {
        "version": DOCUMENTS_VERSION,
        "scope": scope_key(quota),
        "campaign": [campaign.pk, _max_history(Campaign, id=campaign.pk),
                     sorted((f.key, f.attachment_number, f.copies) for f in campaign.forms.all()),
                     sorted((c.kind, c.title) for c in campaign.categories.all())],
        "nominations": [(n.pk, n.updated_at.isoformat(), n.rank, n.status) for n in sorted(nominations, key=lambda n: n.pk)],
        "nomination_history": _max_history(Nomination, id__in=ids),
        "rows": [_max_history(model, nomination_id__in=ids) for model in (Appraisal, Honour, Consultation, Leader)],
        "organisations": _max_history(Organisation, id__in=org_ids),
        "reviews": _max_history(Review, nomination_id__in=ids),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()

