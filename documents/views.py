"""Download pages and files: read input, call one selector or service, respond.

PDFs are served inline (they open in the browser); DOCX, XLSX and ZIP as attachments. Everything
but a published notice is private: ``Cache-Control: private, no-store`` (the forms carry ID
numbers and phones).

Every download of a form and every batch ZIP writes one audit row (DESIGN §9, audit.log): who took
which form of which nomination or campaign, in which format. The public notice PDF is the one
exception: a published notice holds no personal data beyond what the public page shows, and a row
per anonymous hit would let anyone flood the chain.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.log import Action, record
from awards.models import Category
from awards.selectors import campaigns_for, sees_whole_campaign
from nominations.models import Nomination
from nominations.permissions import nominating_units, screening_quotas

from . import selectors, services
from .forms import consultation, contact, decision, initial_review, notice, summary
from .forms.common import approval_title, form_meta
from .rendering import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE

CONTENT_TYPES = {"pdf": PDF_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE, "zip": "application/zip"}
# The per-nominee forms and their formats (DESIGN §6).
NOMINATION_FORMS = {"approval": ("pdf", "docx"), "consultation": ("pdf", "docx"), "initial_review": ("pdf", "docx")}


def _file(data: bytes, filename: str, ext: str, *, public: bool = False) -> FileResponse:
    response = FileResponse(io.BytesIO(data), as_attachment=ext != "pdf", filename=filename, content_type=CONTENT_TYPES[ext])
    response["Cache-Control"] = "public, max-age=60" if public else "private, no-store"
    return response


def _audit(request, obj, form: str, ext: str, *, action: str = Action.DOWNLOAD, **extra) -> None:
    """One audit row for a file handed out: the object it prints, the form and the format."""
    record(action, request=request, obj=obj, detail={"form": form, "format": ext, **extra})


# --- index ---------------------------------------------------------------------------------------


@login_required
def index(request):
    """Where each user finds their documents: the office's campaigns, the packages, the unit's nominees."""
    user = request.user
    entries = []
    units = nominating_units(user)
    for campaign in campaigns_for(user):
        office = sees_whole_campaign(user, campaign)
        quotas = [] if office else screening_quotas(user, campaign)
        noms = []
        if units and not office:
            noms = list(
                Nomination.objects.filter(campaign=campaign, unit__in=_under(units))
                .select_related("unit").order_by("category", "unit__path", "pk")[:200]
            )
        if office or quotas or noms:
            entries.append({"campaign": campaign, "office": office, "quotas": quotas, "nominations": noms})
    return render(request, "documents/index.html", {"entries": entries})


def _under(units):
    from orgs.models import Organisation

    return Organisation.objects.under_any(units)


# --- one nomination ------------------------------------------------------------------------------


def _nomination_forms(nom: Nomination) -> list[dict]:
    campaign = nom.campaign
    keys = {f.key for f in campaign.forms.all()}
    approval_meta = form_meta(campaign, approval_module_key(nom), title=approval_title(campaign, nom.category))
    out = [{"slug": "approval", "meta": approval_meta, "formats": NOMINATION_FORMS["approval"]},
           {"slug": "consultation", "meta": form_meta(campaign, consultation.KEY), "formats": NOMINATION_FORMS["consultation"]}]
    if initial_review.KEY in keys:
        out.insert(0, {"slug": "initial_review", "meta": form_meta(campaign, initial_review.KEY),
                       "formats": NOMINATION_FORMS["initial_review"]})
    return out


def approval_module_key(nom: Nomination) -> str:
    return services.approval_module(nom).KEY


@login_required
def nomination(request, pk: int):
    nom = selectors.access_form_nomination(request.user, pk)
    return render(request, "documents/nomination.html", {"nom": nom, "campaign": nom.campaign, "forms": _nomination_forms(nom)})


@login_required
@require_GET
def nomination_file(request, pk: int, form: str, ext: str):
    if ext not in NOMINATION_FORMS.get(form, ()):
        raise Http404("没有该表格或格式。")
    nom = selectors.access_form_nomination(request.user, pk)
    if form == "approval":
        module = services.approval_module(nom)
    elif form == "consultation":
        module = consultation
    else:
        module = initial_review
    ctx = module.context(nom)
    data = getattr(module, ext)(ctx)
    _audit(request, nom, form, ext)
    return _file(data, ctx["meta"].filename(nom.display_name, ext=ext), ext)


# --- a submitter's package -----------------------------------------------------------------------


@login_required
def package(request, slug: str, quota_pk: int):
    campaign, quota = selectors.access_package(request.user, slug, quota_pk)
    noms = selectors.package_nominations(quota)
    return render(request, "documents/package.html", {
        "campaign": campaign, "quota": quota, "nominations": noms,
        "summary_meta": form_meta(campaign, summary.KEY), "contact_meta": form_meta(campaign, contact.KEY),
        "batch": selectors.latest_batch(campaign, quota),
        "collective": Category.COLLECTIVE,
    })


@login_required
@require_GET
def package_summary(request, slug: str, quota_pk: int, ext: str):
    if ext not in ("xlsx", "docx", "pdf"):
        raise Http404("没有该格式。")
    campaign, quota = selectors.access_package(request.user, slug, quota_pk)
    ctx = summary.context(campaign, selectors.package_nominations(quota), quota=quota)
    data = getattr(summary, ext)(ctx)
    _audit(request, campaign, "summary", ext, quota=quota.pk)
    return _file(data, ctx["meta"].filename(quota.organisation.name, ext=ext), ext)


@login_required
@require_GET
def package_contact(request, slug: str, quota_pk: int):
    campaign, quota = selectors.access_package(request.user, slug, quota_pk)
    ctx = contact.context(campaign, quota)
    data = contact.docx(ctx)
    _audit(request, campaign, "contact", "docx", quota=quota.pk)
    return _file(data, ctx["meta"].filename(quota.organisation.name, ext="docx"), "docx")


@login_required
@require_POST
def package_batch(request, slug: str, quota_pk: int):
    campaign, quota = selectors.access_package(request.user, slug, quota_pk)
    batch = services.request_batch(campaign=campaign, quota=quota, actor=request.user)
    return redirect("documents:batch", pk=batch.pk)


# --- the office --------------------------------------------------------------------------------


@login_required
def office(request, slug: str):
    campaign = selectors.access_office(request.user, slug)
    noms = selectors.office_nominations(campaign)
    reviews, awarded = selectors.decision_reviews(campaign)
    quotas = {}
    for nom in noms:
        quotas.setdefault(nom.quota_id, {"quota": nom.quota, "count": 0})["count"] += 1
    return render(request, "documents/office.html", {
        "campaign": campaign, "count": len(noms), "quotas": list(quotas.values()),
        "summary_meta": form_meta(campaign, summary.KEY), "decision_count": len(reviews), "awarded": awarded,
        "notices": selectors.notices_of(campaign, request.user), "batch": selectors.latest_batch(campaign, None),
    })


@login_required
@require_GET
def office_summary(request, slug: str, ext: str):
    if ext not in ("xlsx", "docx", "pdf"):
        raise Http404("没有该格式。")
    campaign = selectors.access_office(request.user, slug)
    ctx = summary.context(campaign, selectors.office_nominations(campaign), quota=None)
    data = getattr(summary, ext)(ctx)
    _audit(request, campaign, "summary", ext)
    return _file(data, ctx["meta"].filename(campaign.office.name, ext=ext), ext)


@login_required
@require_GET
def office_decision(request, slug: str, ext: str):
    if ext not in ("docx", "pdf"):
        raise Http404("没有该格式。")
    campaign = selectors.access_office(request.user, slug)
    reviews, awarded = selectors.decision_reviews(campaign)
    ctx = decision.context(campaign, reviews, awarded=awarded, decided_on=selectors.decision_date(campaign) if awarded else None)
    data = getattr(decision, ext)(ctx)
    _audit(request, campaign, "decision", ext)
    return _file(data, decision.filename(campaign, ext), ext)


@login_required
@require_POST
def office_batch(request, slug: str):
    campaign = selectors.access_office(request.user, slug)
    batch = services.request_batch(campaign=campaign, quota=None, actor=request.user)
    return redirect("documents:batch", pk=batch.pk)


# --- batches -----------------------------------------------------------------------------------


@login_required
def batch(request, pk: int):
    b = selectors.access_batch(request.user, pk)
    return render(request, "documents/batch.html", {"batch": b})


@login_required
@require_GET
def batch_progress(request, pk: int):
    b = selectors.access_batch(request.user, pk)
    return render(request, "documents/_batch_progress.html", {"batch": b})


@login_required
@require_GET
def batch_download(request, pk: int):
    b = selectors.access_batch(request.user, pk)
    if b.status != b.Status.DONE or not b.file:
        raise Http404("压缩包尚未生成。")
    try:
        fh = b.file.open("rb")
    except FileNotFoundError:
        raise Http404("压缩包已清理，请重新生成。") from None
    services.record_download(b)
    _audit(request, b.campaign, "batch", "zip", action=Action.EXPORT, batch=b.pk, scope=b.scope,
           **({"quota": b.quota_id} if b.quota_id else {}))
    response = FileResponse(fh, as_attachment=True, filename=services.batch_filename(b), content_type=CONTENT_TYPES["zip"])
    response["Cache-Control"] = "private, no-store"
    return response


# --- notices -----------------------------------------------------------------------------------


@login_required
@require_GET
def notice_pdf(request, pk: int):
    """Staff: any notice of their part of the tree, a scheduled one too (to check it before it opens)."""
    n = selectors.notice_for_staff(request.user, pk)
    ctx = notice.context(n, selectors.notice_entries(n))
    data = notice.pdf(ctx)
    _audit(request, n.campaign, "notice", "pdf", notice=n.pk)
    return _file(data, notice.filename(n), "pdf")


@require_GET
def public_notice_pdf(request, pk: int):
    """The public: a published notice (open or closed), as printed; no login."""
    n = selectors.public_notice(pk)
    ctx = notice.context(n, selectors.notice_entries(n))
    return _file(notice.pdf(ctx), notice.filename(n), "pdf", public=True)

