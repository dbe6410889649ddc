"""Pages of the review stages: the office, the leading-group members, the districts' feedback.

Each view reads input, calls one service or selector and renders. A refused action comes back as
a ``RuleError`` whose Chinese message is shown in place (next to the row or the form), with what
was typed kept. Access: ``reviews.permissions`` (404 for anyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from audit.log import Action, record
from awards.models import Campaign, StageKey
from core.pagecache import cached_page
from nominations.rules import RuleError

from . import exports, permissions, selectors, services
from .forms import (
    CapDecisionForm,
    DecisionForm,
    MaterialForm,
    MeetingForm,
    OutcomeForm,
    PoliceForm,
    RevokeForm,
    VoteForm,
)
from .models import Meeting, Outcome


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _leftover(posted: dict[int, dict], shown: set[int]) -> list[str]:
    """Refusals on a row the page does not list (filtered out, not on this list yet): said at the top."""
    return [state["error"] for pk, state in posted.items() if pk not in shown and state.get("error")]


def _office_context(campaign: Campaign, active: str) -> dict:
    return {"campaign": campaign, "stages": selectors.stage_lines(campaign), "active": active}


def _download(request, field, *, name: str, obj):
    if not field:
        raise Http404
    record(Action.DOWNLOAD, request=request, obj=obj, detail={"文件": name})
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- where each user starts ------------------------------------------------------------------------


@login_required
def index(request):
    desks = []
    for campaign in Campaign.objects.filter(status__in=(Campaign.Status.OPEN, Campaign.Status.DECIDED)).select_related("root"):
        roles = {
            "office": permissions.is_office(request.user, campaign),
            "member": permissions.is_member(request.user, campaign),
            "district": bool(permissions.district_quotas(request.user, campaign)),
        }
        if any(roles.values()):
            desks.append((campaign, roles))
    return render(request, "reviews/index.html", {"desks": desks})


# --- office: the stages ------------------------------------------------------------------------------


@login_required
def office(request, slug):
    campaign = permissions.access_office(request.user, slug)
    return render(request, "reviews/office.html", _office_context(campaign, "stages"))


@login_required
@require_POST
def stage_action(request, slug, key, action):
    campaign = permissions.access_office(request.user, slug)
    if key not in StageKey.values or action not in ("start", "close"):
        raise Http404
    try:
        if action == "start":
            stage = services.start_stage(campaign, key, actor=request.user)
            messages.success(request, f"“{stage.label}”已开始。")
        else:
            stage = services.close_stage(campaign, key, actor=request.user)
            messages.success(request, f"“{stage.label}”已结束。")
    except RuleError as exc:
        messages.error(request, exc.message)
    return _back(request, reverse("reviews:office", args=[slug]))


# --- office: initial review -----------------------------------------------------------------------------


@login_required
@cached_page
def initial(request, slug):
    campaign = permissions.access_office(request.user, slug)
    category = request.GET.get("category", "")
    category = category if category in dict(selectors.category_titles(campaign)) else ""
    holders = selectors.queue_holders(campaign)
    holder = next((pk for pk, _name in holders if str(pk) == request.GET.get("holder", "")), None)
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in Outcome.values else ""
    posted: dict[int, dict] = {}
    if request.method == "POST":
        review = selectors.review(campaign, int(request.POST.get("review", 0) or 0))
        if review is None:
            raise Http404
        action = request.POST.get("action")
        state = posted.setdefault(review.pk, {})
        try:
            if action == "police":
                form = state["police_form"] = PoliceForm(request.POST, request.FILES, prefix=f"p{review.pk}")
                if form.is_valid():
                    d = form.cleaned_data
                    services.record_police_opinion(review, answer=d["answer"], answered_on=d["answered_on"], form=d["form"], actor=request.user)
                    messages.success(request, f"已记录公安部门对{review.nomination}的意见。")
                    return redirect(f"{request.get_full_path()}#r{review.pk}")
            elif action == "decide":
                form = state["decision_form"] = OutcomeForm(request.POST, prefix=f"d{review.pk}")
                if form.is_valid():
                    d = form.cleaned_data
                    services.decide_initial(review, passed=d["passed"], reason=d["reason"], actor=request.user)
                    messages.success(request, f"{review.nomination}：初审{'通过' if d['passed'] else '不通过'}。")
                    return redirect(f"{request.get_full_path()}#r{review.pk}")
            else:
                raise Http404
        except RuleError as exc:
            state["error"] = exc.message
    groups, page = selectors.initial_queue(campaign, category=category, holder=holder, outcome=outcome, page=request.GET.get("page", 1))
    shown = set()
    for group in groups:
        for holder in group.holders:
            for row in holder.rows:
                shown.add(row.pk)
                state = posted.get(row.pk, {})
                row.police_form = state.get("police_form") or PoliceForm(prefix=f"p{row.pk}", initial={
                    "answer": row.review.police_answer, "answered_on": row.review.police_answered_on or timezone.localdate(),
                })
                row.decision_form = state.get("decision_form") or OutcomeForm(prefix=f"d{row.pk}")
                row.error = state.get("error", "")
    return render(request, "reviews/initial.html", {
        **_office_context(campaign, "initial"), "groups": groups, "category": category, "alerts": _leftover(posted, shown),
        "holder_options": selectors.holder_options(holders, holder), "holder": holder, "outcome": outcome, "outcomes": Outcome.choices, "page": page,
        "categories": selectors.categories(campaign), "open": selectors.stage_open(campaign, StageKey.INITIAL_REVIEW),
    }, status=400 if posted else 200)


@login_required
def police_form_file(request, slug, pk):
    campaign = permissions.access_office(request.user, slug)
    review = selectors.review(campaign, pk)
    if review is None:
        raise Http404
    return _download(request, review.police_form, obj=review, name=f"公安意见-{review.nomination}.{review.police_form.name.rsplit('.', 1)[-1]}")


# --- office: comprehensive review, the proposed list with live caps ---------------------------------------------


@login_required
@cached_page
def comprehensive(request, slug):
    campaign = permissions.access_office(request.user, slug)
    cap_form = CapDecisionForm(caps=campaign.caps.all(), initial={"held_on": timezone.localdate()})
    meeting_form = MeetingForm(prefix="m", initial={"held_on": timezone.localdate()})
    alerts: dict[str, str] = {}
    row_errors: dict[int, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "tally":
                proposed = services.tally(campaign, actor=request.user)
                messages.success(request, f"已统计表决结果，拟表彰{len(proposed)}个。")
                return redirect(request.get_full_path())
            if action == "propose":
                review = selectors.review(campaign, int(request.POST.get("review", 0) or 0))
                if review is None:
                    raise Http404
                proposed = request.POST.get("proposed") == "1"
                try:
                    services.set_proposed(review, proposed=proposed, actor=request.user)
                except RuleError as exc:
                    row_errors[review.pk] = alerts["propose"] = exc.message
                else:
                    messages.success(request, f"{review.nomination}：已{'列入' if proposed else '移出'}拟表彰名单。")
                    return redirect(f"{request.get_full_path()}#p{review.pk}")
            elif action == "cap_decision":
                cap_form = CapDecisionForm(request.POST, caps=campaign.caps.all())
                if cap_form.is_valid():
                    services.record_cap_decision(campaign=campaign, actor=request.user, **cap_form.cleaned_data)
                    messages.success(request, "领导小组决定已记录，名单和导出文件中将注明。")
                    return redirect(request.get_full_path())
            elif action == "meeting":
                meeting_form = MeetingForm(request.POST, request.FILES, prefix="m")
                if meeting_form.is_valid():
                    _record_meeting(request, campaign, Meeting.Kind.COMPREHENSIVE, meeting_form)
                    return redirect(request.get_full_path())
            else:
                raise Http404
        except RuleError as exc:
            if action == "cap_decision":
                cap_form.add_error(None, exc.message)
            elif action == "meeting":
                meeting_form.add_error(None, exc.message)
            else:
                alerts[action] = exc.message
    data = selectors.comprehensive(campaign, paged=True, page=request.GET.get("page"))
    page = data.page
    for group in data.categories:
        for row in group.rows:
            row.error = row_errors.get(row.pk, "")
    return render(request, "reviews/comprehensive.html", {
        **_office_context(campaign, "comprehensive"), "data": data, "cap_form": cap_form, "meeting_form": meeting_form,
        "alerts": list(alerts.values()), "open": selectors.stage_open(campaign, StageKey.COMPREHENSIVE_REVIEW),
        "meetings": [m for m in data.meetings if m.kind == Meeting.Kind.COMPREHENSIVE], "page": page,
    }, status=400 if request.method == "POST" else 200)


def _record_meeting(request, campaign, kind, form):
    d = form.cleaned_data
    services.record_meeting(
        campaign=campaign, kind=kind, title=d["title"], held_on=d["held_on"], summary=d["summary"], actor=request.user,
        minutes=d["minutes"] or None,
    )
    messages.success(request, f"已记录：{d['title']}。")


@login_required
def comprehensive_export(request, slug):
    campaign = permissions.access_office(request.user, slug)
    content = exports.proposed_xlsx(campaign, selectors.comprehensive(campaign))
    record(Action.EXPORT, request=request, obj=campaign, detail={"文件": f"{campaign.slug}-拟表彰名单.xlsx"})
    return _xlsx(content, f"{campaign.slug}-拟表彰名单.xlsx")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    from django.utils.encoding import escape_uri_path

    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def meeting_minutes(request, slug, pk):
    campaign = permissions.access_office(request.user, slug)
    meeting = next((m for m in selectors.meetings(campaign) if m.pk == pk), None)
    if meeting is None:
        raise Http404
    return _download(request, meeting.minutes, obj=meeting, name=f"{meeting.title}.{meeting.minutes.name.rsplit('.', 1)[-1]}" if meeting.minutes else "")


# --- office: re-review and the party group --------------------------------------------------------------------------


@login_required
def re_review(request, slug):
    campaign = permissions.access_office(request.user, slug)
    meeting_form = MeetingForm(prefix="m", initial={"held_on": timezone.localdate()}, kind=Meeting.Kind.PARTY_GROUP)
    posted: dict[int, dict] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "decide":
                review = selectors.review(campaign, int(request.POST.get("review", 0) or 0))
                if review is None:
                    raise Http404
                state = posted.setdefault(review.pk, {})
                form = state["form"] = OutcomeForm(request.POST, prefix=f"d{review.pk}")
                if form.is_valid():
                    d = form.cleaned_data
                    try:
                        services.decide_re_review(review, passed=d["passed"], reason=d["reason"], actor=request.user)
                    except RuleError as exc:
                        state["error"] = exc.message
                    else:
                        messages.success(request, f"{review.nomination}：复审{'通过' if d['passed'] else '不通过'}。")
                        return redirect(f"{request.get_full_path()}#r{review.pk}")
            elif action == "party_group":
                meeting_form = MeetingForm(request.POST, request.FILES, prefix="m", kind=Meeting.Kind.PARTY_GROUP)
                if meeting_form.is_valid():
                    _record_meeting(request, campaign, Meeting.Kind.PARTY_GROUP, meeting_form)
                    return redirect(request.get_full_path())
            else:
                raise Http404
        except RuleError as exc:
            meeting_form.add_error(None, exc.message)
    rows, page = selectors.re_review_rows(campaign, request.GET.get("page"))
    for row in rows:
        state = posted.get(row.pk, {})
        row.form = state.get("form") or OutcomeForm(prefix=f"d{row.pk}")
        row.error = state.get("error", "")
    return render(request, "reviews/re_review.html", {
        **_office_context(campaign, "re_review"), "rows": rows, "page": page, "meeting_form": meeting_form,
        "alerts": _leftover(posted, {row.pk for row in rows}),
        "meetings": selectors.meetings(campaign, Meeting.Kind.PARTY_GROUP),
        "open": selectors.stage_open(campaign, StageKey.RE_REVIEW),
    }, status=400 if request.method == "POST" else 200)


@login_required
def material_file(request, slug, pk):
    """A formal material: for the office, or for the district or department that sent it."""
    campaign = selectors.campaign(slug)
    if campaign is None:
        raise Http404
    found = selectors.material(campaign, pk)
    if found is None:
        raise Http404
    if not permissions.is_office(request.user, campaign):
        own = {q.pk for q in permissions.district_quotas(request.user, campaign)}
        if found.review.quota_id not in own:
            raise Http404
    return _download(request, found.file, obj=found, name=f"{found.get_kind_display()}-{found.pk}.{found.file.name.rsplit('.', 1)[-1]}")


# --- office: the decision and revocation -------------------------------------------------------------------------------


@login_required
def decision(request, slug):
    campaign = permissions.access_office(request.user, slug)
    data = selectors.final_list(campaign)
    decision_form = DecisionForm(initial={"held_on": timezone.localdate(), "summary": selectors.decision_title(campaign)})
    posted: dict[int, dict] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "issue":
                decision_form = DecisionForm(request.POST)
                if decision_form.is_valid():
                    services.issue_decision(campaign, actor=request.user, **decision_form.cleaned_data)
                    messages.success(request, "表彰决定已记录，最终名单已授予称号。")
                    return redirect(request.get_full_path())
            elif action == "revoke":
                review = selectors.review(campaign, int(request.POST.get("review", 0) or 0))
                if review is None:
                    raise Http404
                state = posted.setdefault(review.pk, {})
                form = state["form"] = RevokeForm(request.POST, prefix=f"v{review.pk}")
                if form.is_valid():
                    try:
                        services.revoke_award(review, actor=request.user, **form.cleaned_data)
                    except RuleError as exc:
                        state["error"] = exc.message
                    else:
                        messages.success(request, f"已撤销{review.nomination}的表彰。")
                        return redirect(request.get_full_path())
            else:
                raise Http404
        except RuleError as exc:
            decision_form.add_error(None, exc.message)
        data = selectors.final_list(campaign)
    shown = set()
    for group in data.categories:
        for row in group.rows:
            shown.add(row.pk)
            state = posted.get(row.pk, {})
            row.revoke_form = state.get("form") or RevokeForm(prefix=f"v{row.pk}", initial={"held_on": timezone.localdate()})
            row.error = state.get("error", "")
    return render(request, "reviews/decision.html", {
        **_office_context(campaign, "decision"), "data": data, "decision_form": decision_form,
        "alerts": _leftover(posted, shown),
        "document_title": selectors.decision_title(campaign),
        "open": selectors.stage_open(campaign, StageKey.DECISION),
    }, status=400 if request.method == "POST" else 200)


@login_required
def decision_document(request, slug):
    """The draft commendation decision, laid out after GB/T 9704-2012, to print from the browser."""
    campaign = permissions.access_office(request.user, slug)
    data = selectors.final_list(campaign)
    return render(request, "reviews/decision_document.html", {
        "campaign": campaign, "data": data, "title": selectors.decision_title(campaign),
        "commended": selectors.commended(campaign), "addressees": selectors.addressees(campaign),
        "date": data.decision.held_on if data.decision else timezone.localdate(),
        "bodies": campaign.issuing_bodies.split(),
    })


@login_required
def final_export(request, slug):
    campaign = permissions.access_office(request.user, slug)
    content = exports.final_xlsx(campaign, selectors.final_list(campaign))
    record(Action.EXPORT, request=request, obj=campaign, detail={"文件": f"{campaign.slug}-表彰名单.xlsx"})
    return _xlsx(content, f"{campaign.slug}-表彰名单.xlsx")


# --- office: the dashboard -----------------------------------------------------------------------------------------


@login_required
@cached_page
def dashboard(request, slug):
    campaign = permissions.access_office(request.user, slug)
    data = selectors.dashboard(campaign)
    # Paged in memory: the counts above the table are over every submitter.
    page = Paginator(data.submitters, selectors.SUBMITTERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/dashboard.html", {
        **_office_context(campaign, "dashboard"), "data": data, "page": page,
    })


# --- leading-group members ------------------------------------------------------------------------------------------


@login_required
def vote(request, slug):
    campaign = permissions.access_member(request.user, slug)
    scores = campaign.review_mode == Campaign.ReviewMode.SCORES
    posted: dict[int, dict] = {}
    if request.method == "POST":
        review = selectors.review(campaign, int(request.POST.get("review", 0) or 0))
        if review is None:
            raise Http404
        state = posted.setdefault(review.pk, {})
        form = state["form"] = VoteForm(request.POST, prefix=f"v{review.pk}", scores=scores)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.cast_vote(review, member=request.user, choice=d.get("choice") or "", score=d.get("score"))
            except RuleError as exc:
                state["error"] = exc.message
            else:
                messages.success(request, f"已记录您对{review.nomination}的{'评分' if scores else '表决意见'}。")
                return redirect(f"{request.get_full_path()}#v{review.pk}")
    groups, page = selectors.ballot(campaign, request.user, request.GET.get("page"))
    shown = set()
    for _key, _label, rows, _total in groups:
        for row in rows:
            state = posted.get(row.pk, {})
            initial = {"choice": row.vote.choice, "score": row.vote.score} if row.vote else {}
            row.form = state.get("form") or VoteForm(prefix=f"v{row.pk}", scores=scores, initial=initial)
            row.error = state.get("error", "")
            shown.add(row.pk)
    # A refusal on a nominee that is not on the ballot (yet) is said above the list.
    alerts = _leftover(posted, shown)
    return render(request, "reviews/vote.html", {
        "campaign": campaign, "groups": groups, "page": page, "scores": scores, "alerts": alerts,
        "open": selectors.stage_open(campaign, StageKey.COMPREHENSIVE_REVIEW),
    }, status=400 if posted else 200)


# --- districts and municipal departments -------------------------------------------------------------------------------


@login_required
def feedback(request, slug):
    campaign, quotas = permissions.access_district(request.user, slug)
    return render(request, "reviews/feedback.html", {
        "campaign": campaign, "groups": selectors.feedback(campaign, quotas),
        "materials_stage": selectors.stage_of(campaign, StageKey.FORMAL_MATERIALS),
        "materials_open": selectors.stage_open(campaign, StageKey.FORMAL_MATERIALS),
        "feedback_open": selectors.stage_open(campaign, StageKey.FEEDBACK_PUBLICITY),
    })


@login_required
def materials(request, slug, pk):
    campaign, quotas = permissions.access_district(request.user, slug)
    review = permissions.access_own_review(quotas, campaign, pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.upload_material(review, kind=d["kind"], file=d["file"], copies=d["copies"], actor=request.user)
        except RuleError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已上传{review.nomination}的正式推荐材料。")
            return redirect("reviews:materials", slug=slug, pk=review.pk)
    row = next(r for g in selectors.feedback(campaign, [q for q in quotas if q.pk == review.quota_id]) for r in g.rows if r.pk == review.pk)
    return render(request, "reviews/materials.html", {
        "campaign": campaign, "row": row, "form": form,
        "stage": selectors.stage_of(campaign, StageKey.FORMAL_MATERIALS),
        "open": selectors.stage_open(campaign, StageKey.FORMAL_MATERIALS),
    }, status=400 if request.method == "POST" else 200)
