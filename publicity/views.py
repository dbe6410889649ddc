"""Staff pages for notices and objections (login required; 404 outside the user's part of the tree)."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.log import Action, record
from awards.models import Campaign
from core.models import Notification, TaskFailure
from core.versions import DATA, bump
from nominations.models import Nomination, Status
from orgs.models import Organisation, User
from orgs.permissions import can_act_for

from . import permissions, selectors, services
from .forms import AssignForm, ConclusionForm, InvestigationForm, NoticeForm
from .models import Notice, Objection, Scope
from .tasks import responsible_staff

SHANGHAI_OPENING = dt.time(8, 30)


def _page(request, qs, size: int = selectors.PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def index(request):
    now = timezone.now()
    windows = selectors.running_windows(request.user, now=now)
    counts = selectors.countdowns(windows, now=now)
    for notice in windows:
        notice.countdown = counts.get(notice.pk)
    open_objections = selectors.objection_queue(request.user, status="open").count()
    openings = []
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN).select_related("office").order_by("-year", "title"):
        if permissions.district_quotas(request.user, campaign):
            openings.append((campaign, Scope.DISTRICT, f"发布{Scope.DISTRICT.label}"))
        if permissions.can_open_final(request.user, campaign):
            openings.append((campaign, Scope.FINAL, f"发布{Scope.FINAL.label}"))
    return render(request, "publicity/index.html", {
        "windows": windows, "open_objections": open_objections, "openings": openings,
    })


@login_required
def notice_list(request):
    qs = selectors.staff_notices(
        request.user, campaign=request.GET.get("campaign", ""), scope=request.GET.get("scope", ""),
        status=request.GET.get("status", ""),
    )
    return render(request, "publicity/notice_list.html", {
        "page": _page(request, qs), "scopes": Scope.choices, "statuses": Notice.Status.choices,
        "campaigns": Campaign.objects.filter(pk__in=Notice.objects.filter(permissions.visible_notices_q(request.user)).values("campaign_id")),
        "filters": request.GET,
    })


@login_required
def notice_detail(request, pk: int):
    notice = permissions.access_notice(request.user, pk)
    now = timezone.now()
    record = selectors.notice_record(notice)
    countdown = selectors.countdowns([notice], now=now).get(notice.pk) if notice.status != Notice.Status.CLOSED else None
    return render(request, "publicity/notice_detail.html", {
        "notice": notice, **record, "countdown": countdown,
        "can_correct": permissions.can_correct_notice(request.user, notice),
    })


def _issuer_for_district(user: User, quota_org: Organisation) -> Organisation:
    """The screener's own bureau issues the notice when it lies in the quota's tree, else the quota holder."""
    own = user.organisation
    if own is not None and own.is_under(quota_org) and can_act_for(user, own):
        return own
    return quota_org


def _opens_at(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, SHANGHAI_OPENING))


@login_required
def notice_open(request, slug: str, scope: str):
    """A district-scope notice of the screener's quota, or the final notice of the whole campaign."""
    campaign = Campaign.objects.select_related("office", "root").filter(slug=slug, status=Campaign.Status.OPEN).first()
    if campaign is None or scope not in (Scope.DISTRICT, Scope.FINAL):
        raise Http404("没有找到该评选表彰活动。")
    forwarded = Nomination.objects.filter(campaign=campaign, status=Status.FORWARDED).select_related("unit", "organisation")
    if scope == Scope.DISTRICT:
        quotas = permissions.district_quotas(request.user, campaign)
        quota = next((q for q in quotas if str(q.organisation_id) == request.GET.get("quota", "")), quotas[0] if quotas else None)
        if quota is None:
            raise Http404("您没有可公示的推荐名额。")
        issuer = _issuer_for_district(request.user, quota.organisation)
        nominations = forwarded.filter(quota=quota)
    else:
        if not permissions.can_open_final(request.user, campaign):
            raise Http404("只有领导小组办公室可以发布拟表彰对象公示。")
        quota, quotas, issuer = None, [], campaign.office
        nominations = forwarded
    # Listed once per scope; listing again is a correction of the notice that listed it.
    nominations = nominations.exclude(notice_entries__notice__scope=scope)
    nominations = nominations.order_by("quota__organisation__path", "category", "rank", "pk")
    form = NoticeForm(request.POST or None, nominations=nominations, initial={"contact": campaign.contact if scope == Scope.FINAL else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.open_notice(
                campaign=campaign, scope=scope, issuer=issuer, nominations=list(data["nominations"]), actor=request.user,
                title=data["title"], intro=data["intro"], contact=data["contact"], how_to_object=data["how_to_object"],
                opens_at=_opens_at(data["opens_on"]),
            )
        except services.PublicityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"公示已发布：{notice.title}")
            return redirect("publicity:notice_detail", pk=notice.pk)
    return render(request, "publicity/notice_open.html", {
        "campaign": campaign, "scope": scope, "scope_label": Scope(scope).label, "issuer": issuer, "form": form,
        "quotas": quotas, "quota": quota, "nomination_count": nominations.count(),
    })


@login_required
def notice_correct(request, pk: int):
    """A correction is a new notice naming the one it replaces; the old one stays as it was."""
    old = permissions.access_notice(request.user, pk)
    if not permissions.can_correct_notice(request.user, old):
        raise Http404("您无权更正该公示。")
    listed = list(old.entries.values_list("nomination_id", flat=True))
    nominations = Nomination.objects.filter(pk__in=listed).exclude(status__in=(Status.CANCELLED, Status.WITHDRAWN))
    nominations = nominations.select_related("unit", "organisation").order_by("pk")
    initial = {"title": f"{old.title}（更正）", "intro": old.intro, "contact": old.contact,
               "nominations": list(nominations.values_list("pk", flat=True))}
    form = NoticeForm(request.POST or None, nominations=nominations, correction=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.open_notice(
                campaign=old.campaign, scope=old.scope, issuer=old.issuer, nominations=list(data["nominations"]),
                actor=request.user, title=data["title"], intro=data["intro"], contact=data["contact"],
                how_to_object=data["how_to_object"], opens_at=_opens_at(data["opens_on"]),
                replaces=old, correction_note=data["correction_note"],
            )
        except services.PublicityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"更正公示已发布：{notice.title}")
            return redirect("publicity:notice_detail", pk=notice.pk)
    return render(request, "publicity/notice_correct.html", {"old": old, "form": form})


# --- objections ---------------------------------------------------------------------------------


@login_required
def objection_list(request):
    status = request.GET.get("status", "open")
    overdue = request.GET.get("overdue") == "1"
    notice_id = request.GET.get("notice")
    qs = selectors.objection_queue(
        request.user, status=status, notice_id=int(notice_id) if (notice_id or "").isdigit() else None, overdue=overdue,
    )
    now = timezone.now()
    page = _page(request, qs)
    for objection in page.object_list:
        objection.past_deadline = objection.is_open and objection.notice.closes_at <= now
    return render(request, "publicity/objection_list.html", {
        "page": page, "status": status, "overdue": overdue, "statuses": Objection.Status.choices, "now": now,
    })


def _handlers(objection: Objection, user: User):
    """Whom an objection can be given to: the responsible staff of the issuing level, and the user."""
    ids = responsible_staff(objection.notice).values("pk")
    return User.objects.filter(Q(pk__in=ids) | Q(pk=user.pk)).order_by("pk")


@login_required
def objection_detail(request, pk: int):
    objection = permissions.access_objection(request.user, pk)
    can_handle = permissions.can_handle_objections(request.user, objection.notice)
    handlers = _handlers(objection, request.user) if can_handle else User.objects.none()
    forms = {
        "assign": AssignForm(users=handlers, initial={"to": objection.assigned_to_id or request.user.pk}),
        "investigate": InvestigationForm(initial={"text": objection.investigation}),
        "conclude": ConclusionForm(),
    }
    if request.method == "POST":
        if not can_handle:
            raise Http404("您无权办理该异议。")
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                forms["assign"] = form = AssignForm(request.POST, users=handlers)
                if form.is_valid():
                    services.assign_objection(objection, to=form.cleaned_data["to"], actor=request.user)
                    return _done(request, objection, "已分派核查人。")
            elif action == "investigate":
                forms["investigate"] = form = InvestigationForm(request.POST)
                if form.is_valid():
                    services.record_investigation(objection, text=form.cleaned_data["text"], actor=request.user)
                    return _done(request, objection, "核查情况已保存。")
            elif action == "conclude":
                forms["conclude"] = form = ConclusionForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    services.conclude_objection(
                        objection, upheld=d["upheld"], conclusion=d["conclusion"], public_reply=d["public_reply"], actor=request.user,
                    )
                    return _done(request, objection, "异议已办结。")
            elif action == "inform":
                services.inform_objector(objection, actor=request.user)
                return _done(request, objection, "已记录告知异议人。")
            else:
                messages.error(request, "未知的操作。")
        except services.PublicityError as exc:
            messages.error(request, exc.message)
    history = list(objection.history.select_related("history_user").order_by("history_date", "history_id"))
    if can_handle and request.method != "POST":
        # The handler needs the objector's contact to inform them: shown in full, each view audited.
        record(Action.VIEW_PERSONAL, request=request, obj=objection, detail={"field": "objector_contact"})
    return render(request, "publicity/objection_detail.html", {
        "objection": objection, "notice": objection.notice, "forms": forms, "can_handle": can_handle,
        "history": history, "past_deadline": objection.is_open and objection.notice.closes_at <= timezone.now(),
    })


def _done(request, objection, text):
    messages.success(request, text)
    return redirect("publicity:objection_detail", pk=objection.pk)


@login_required
def objection_attachment(request, pk: int):
    objection = permissions.access_objection(request.user, pk)
    if not objection.attachment:
        raise Http404("该异议没有附件。")
    name = objection.attachment.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    record(Action.DOWNLOAD, request=request, obj=objection, object_repr=f"异议{objection.receipt_code}", detail={"文件": name})
    response = FileResponse(objection.attachment.open("rb"), as_attachment=True, filename=f"异议{objection.receipt_code}-{name}",
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- reminders and failed tasks -------------------------------------------------------------------


@login_required
def notifications(request):
    qs = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    if request.method == "POST":
        qs.filter(read_at__isnull=True).update(read_at=timezone.now())
        bump(DATA)  # the reminder count in the header of the cached staff pages (core.pagecache)
        messages.success(request, "提醒已全部标为已读。")
        return redirect("publicity:notifications")
    return render(request, "publicity/notifications.html", {"page": _page(request, qs, 50)})


@login_required
def failures(request):
    if not permissions.can_see_failures(request.user):
        raise Http404
    show = request.GET.get("show", "open")
    qs = TaskFailure.objects.all()
    if show == "open":
        qs = qs.filter(resolved_at__isnull=True)
    return render(request, "publicity/failures.html", {"page": _page(request, qs.order_by("-failed_at", "-id"), 50), "show": show})


@login_required
@require_POST
def failure_resolve(request, pk: int):
    if not permissions.can_see_failures(request.user):
        raise Http404
    TaskFailure.objects.filter(pk=pk, resolved_at__isnull=True).update(resolved_at=timezone.now())
    messages.success(request, "已标记为已处理。")
    return redirect("publicity:failures")

