"""Pages for unit staff and district/department reviewers (DESIGN §3 stages 1 and 2).

Each view reads input, calls one service or selector and renders. The rules live in
``nominations.rules`` and run inside ``nominations.services``; a refused action comes back as a
``RuleError`` whose Chinese message is shown next to the form, with everything typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.log import Action, Outcome, record
from awards.models import Category
from core.pagecache import cached_page
from publicity import services as publicity_services
from publicity.models import Scope

from . import selectors, services
from .forms import (
    ConsultationForm,
    JustificationForm,
    PartyGroupForm,
    QueueFilterForm,
    RankingForm,
    ReturnForm,
    UnitProcedureForm,
    UnitPublicityForm,
    errors_to_form,
    nomination_form_class,
    row_formsets,
)
from .models import Status
from .permissions import access_nomination, can_nominate_for, can_reveal_personal, can_screen
from .rules import RuleError

# --- the user's work ---------------------------------------------------------------------------


@login_required
def index(request):
    work = selectors.work_for(request.user)
    return render(request, "nominations/index.html", {
        "desks": [(desk, _publicity_form(desk)) for desk in work.desks],
        "screening": work.screening,
        "forwarded": work.forwarded,
    })


def _publicity_form(desk, data=None):
    choices = [(str(r.pk), r.nom.display_name) for r in desk.publishable]
    return UnitPublicityForm(data, choices=choices, prefix=f"pub{desk.unit.pk}")


# --- unit: the list, publicity, procedures, ranking ------------------------------------------------


@login_required
@cached_page
def unit_desk(request, slug, unit_pk):
    campaign, unit = selectors.access_unit(request.user, slug, unit_pk)
    desk = selectors.unit_desk(campaign, unit)
    form = _publicity_form(desk, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = {int(pk) for pk in form.cleaned_data["nominations"]}
        try:
            notice = publicity_services.open_notice(
                campaign=campaign, scope=Scope.UNIT, issuer=unit, actor=request.user,
                nominations=[r.nom for r in desk.publishable if r.pk in chosen],
                contact=form.cleaned_data["contact"],
            )
        except RuleError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已发起单位公示“{notice.title}”，公示期为{campaign.publicity_working_days}个工作日。")
            return redirect("nominations:unit_desk", slug=slug, unit_pk=unit.pk)
    return render(request, "nominations/unit_desk.html", {"desk": desk, "form": form, "campaign": campaign, "unit": unit})


@login_required
def unit_procedures(request, slug, unit_pk):
    campaign, unit = selectors.access_unit(request.user, slug, unit_pk)
    form = UnitProcedureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data["minutes"]:
            data.pop("minutes")
        try:
            services.record_unit_procedure(campaign=campaign, unit=unit, actor=request.user, **data)
        except RuleError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "已记录。")
            return redirect("nominations:unit_procedures", slug=slug, unit_pk=unit.pk)
    desk = selectors.unit_desk(campaign, unit)
    return render(request, "nominations/unit_procedures.html", {"desk": desk, "form": form, "campaign": campaign, "unit": unit})


@login_required
def procedure_minutes(request, slug, unit_pk, pk):
    campaign, unit = selectors.access_unit(request.user, slug, unit_pk)
    proc = next((p for p in selectors.unit_desk(campaign, unit).procedures if p.pk == pk), None)
    if proc is None or not proc.minutes:
        raise Http404
    record(Action.DOWNLOAD, request=request, obj=proc, detail={"文件": proc.minutes.name.rsplit("/", 1)[-1]})
    return FileResponse(proc.minutes.open("rb"), as_attachment=True, filename=proc.minutes.name.rsplit("/", 1)[-1])


@login_required
def unit_ranking(request, slug, unit_pk):
    campaign, unit = selectors.access_unit(request.user, slug, unit_pk)
    items = selectors.rankable_unit_nominations(campaign, unit)
    what = f"{unit.name}的推荐对象"
    form = RankingForm(None, items=items, what=what)
    submit_error = ""
    if request.method == "POST" and request.POST.get("action") == "submit":
        try:
            sent = services.submit_unit(campaign=campaign, unit=unit, actor=request.user)
        except RuleError as exc:
            submit_error = exc.message
        else:
            messages.success(request, f"已报送{len(sent)}个推荐对象：{'、'.join(n.display_name for n in sent)}。")
            return redirect("nominations:unit_desk", slug=slug, unit_pk=unit.pk)
    elif request.method == "POST":
        form = RankingForm(request.POST, items=items, what=what)
        if form.is_valid():
            try:
                services.rank_unit(campaign=campaign, unit=unit, ordered_ids=form.ordered_ids(), actor=request.user)
            except RuleError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "排序已保存。")
                return redirect("nominations:unit_ranking", slug=slug, unit_pk=unit.pk)
    return render(request, "nominations/unit_ranking.html", {
        "campaign": campaign, "unit": unit, "form": form, "items": _ranking_items(form, items),
        # The stage only, not the whole desk: this page is what every unit posts at the deadline.
        "submit_error": submit_error, "stage": selectors.unit_stage(campaign),
    })


def _ranking_items(form, items):
    return [(nom, form[f"pos_{nom.pk}"]) for nom in items]


# --- one nomination: create, edit, detail, justify, resubmit ----------------------------------------


def _nomination_form_page(request, *, campaign, unit, category, nom=None):
    FormClass = nomination_form_class(category)
    post = request.method == "POST"
    form = FormClass(
        request.POST if post else None, request.FILES if post else None,
        instance=nom, unit=unit, campaign=campaign,
    )
    rowsets = row_formsets(category, data=request.POST if post else None, nom=nom, campaign=campaign)
    if post and form.is_valid() and all(fs.is_valid() for fs in rowsets.values()):
        fields = dict(form.cleaned_data)
        if fields.get("photo") is None:
            fields.pop("photo", None)
        fields.update({name: fs.rows() for name, fs in rowsets.items()})
        try:
            if nom is None:
                nom = services.create_nomination(campaign=campaign, unit=unit, category=category, actor=request.user, **fields)
            else:
                nom = services.update_nomination(nom, actor=request.user, **fields)
        except RuleError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存“{nom.display_name}”。请核对下方的原则性要求提示。")
            return redirect("nominations:detail", pk=nom.pk)
    return render(request, "nominations/form.html", {
        "form": form, "rowsets": rowsets,
        "rowsets_have_errors": post and any(fs.total_error_count() for fs in rowsets.values()), "campaign": campaign, "unit": unit, "nom": nom,
        "category": category, "category_label": Category(category).label,
        "collective": category == Category.COLLECTIVE,
    })


@login_required
def create(request, slug, unit_pk, category):
    campaign, unit = selectors.access_unit(request.user, slug, unit_pk)
    if category not in Category.values:
        raise Http404
    return _nomination_form_page(request, campaign=campaign, unit=unit, category=category)


def _editable(request, pk):
    nom = access_nomination(request.user, pk)
    if not can_nominate_for(request.user, nom.unit):
        raise PermissionDenied("只有推荐单位的经办人可以修改推荐对象。")
    return nom


@login_required
def edit(request, pk):
    nom = _editable(request, pk)
    if request.method != "POST" and nom.status not in services.EDITABLE:
        # Only spares the user a form that cannot be saved; a POST goes to the service, which refuses.
        messages.error(request, f"{nom.display_name}当前状态为“{nom.get_status_display()}”，不能修改。")
        return redirect("nominations:detail", pk=nom.pk)
    if request.method != "POST" and not nom.is_collective and (nom.id_number or nom.phone):
        # The edit form holds the full numbers (the unit's staff typed them): each opening is audited.
        record(Action.VIEW_PERSONAL, request=request, obj=nom, detail={"field": "id_number,phone", "via": "edit"})
    return _nomination_form_page(request, campaign=nom.campaign, unit=nom.unit, category=nom.category, nom=nom)


@login_required
def detail(request, pk):
    nom = access_nomination(request.user, pk)
    return _render_detail(request, nom)


# The personal numbers shown masked on the detail page; the full value on request, audited.
REVEALABLE = {"id_number": "身份证号", "phone": "联系电话"}


@login_required
@require_POST
def reveal(request, pk, field):
    """查看完整号码: one audit row per look; 403 (also audited) for a role that does not need it."""
    nom = access_nomination(request.user, pk)
    if field not in REVEALABLE or nom.is_collective:
        raise Http404
    if not can_reveal_personal(request.user, nom):
        record(Action.VIEW_PERSONAL, request=request, obj=nom, detail={"field": field}, outcome=Outcome.DENIED)
        raise PermissionDenied("您的角色不需要查看完整号码。")
    record(Action.VIEW_PERSONAL, request=request, obj=nom, detail={"field": field})
    response = _render_detail(request, nom, revealed={field: getattr(nom, field)})
    response["Cache-Control"] = "private, no-store"
    return response


def _render_detail(request, nom, *, justify_form=None, resubmit_error="", status=200, revealed=None):
    user = request.user
    row = selectors.detail_row(nom)
    events = selectors.events_of(nom)
    may_nominate = can_nominate_for(user, nom.unit)
    may_screen = can_screen(user, nom.quota)
    posted_rule = justify_form.data.get("rule") if justify_form is not None else None
    forms_by_rule = {
        w.code: justify_form if posted_rule == w.code else _justify_form(w.code)
        for w in row.unjustified
    }
    orphan_errors = (
        justify_form.errors.get("text", []) + justify_form.non_field_errors()
        if justify_form is not None and posted_rule not in forms_by_rule else []
    )
    return render(request, "nominations/detail.html", {
        "row": row, "nom": row.nom, "campaign": nom.campaign,
        "justify_forms": [(w, forms_by_rule[w.code]) for w in row.unjustified],
        "may_justify": may_nominate or may_screen,
        "may_edit": may_nominate and nom.status in services.EDITABLE,
        "may_resubmit": may_nominate and nom.status == Status.RETURNED,
        "may_screen": may_screen,
        "may_reveal": can_reveal_personal(user, nom),
        "revealed": revealed or {},
        "resubmit_error": resubmit_error,
        "justify_errors": orphan_errors,
        "events": events,
        "returned_event": next((e for e in reversed(events) if e.to_status == Status.RETURNED), None),
        "history": selectors.history_of(nom),
        "leaders": list(row.nom.leaders.all()),
        "appraisals": list(row.nom.appraisals.all()),
        "honours": list(row.nom.honours.all()),
    }, status=status)


def _justify_form(code: str, data=None) -> JustificationForm:
    safe = "".join(ch for ch in code if ch.isalnum() or ch == "_")[:40]
    return JustificationForm(data, initial={"rule": code}, auto_id=f"id_justify_{safe}_%s")


@login_required
@require_POST
def justify(request, pk):
    nom = access_nomination(request.user, pk)
    if not (can_nominate_for(request.user, nom.unit) or can_screen(request.user, nom.quota)):
        raise PermissionDenied
    form = _justify_form(request.POST.get("rule", ""), request.POST)
    if form.is_valid():
        try:
            services.justify(nom, rule=form.cleaned_data["rule"], text=form.cleaned_data["text"], actor=request.user)
        except RuleError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, "说明理由已记录。")
            return redirect(reverse("nominations:detail", kwargs={"pk": nom.pk}) + "#warnings")
    return _render_detail(request, nom, justify_form=form)


@login_required
@require_POST
def resubmit(request, pk):
    nom = _editable(request, pk)
    try:
        services.resubmit_nomination(nom, actor=request.user)
    except RuleError as exc:
        return _render_detail(request, nom, resubmit_error=exc.message)
    messages.success(request, f"“{nom.display_name}”已重新报送。")
    return redirect("nominations:detail", pk=nom.pk)


@login_required
def photo(request, pk):
    nom = access_nomination(request.user, pk)
    if not nom.photo:
        raise Http404
    response = FileResponse(nom.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# --- district / department: the screening queue ----------------------------------------------------


def _queue_filters(request, quota):
    statuses = [(s.value, s.label) for s in Status if s in selectors.SCREENING_STATUSES]
    form = QueueFilterForm(request.GET or None, units=selectors.screening_units(quota), statuses=statuses)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {"category": data.get("category", ""), "status": data.get("status", ""), "unit": data.get("unit")}


@login_required
@cached_page
def screening_queue(request, quota_id):
    quota = selectors.access_screening_quota(request.user, quota_id)
    party_form = PartyGroupForm()
    alerts: dict[str, str] = {}
    return_forms: dict[int, ReturnForm] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
                noms = selectors.accepted_in(quota, ids)
                if not noms:
                    raise RuleError("请先勾选要审核通过的推荐对象。", code="nothing_ticked")
                with transaction.atomic():  # all of the ticked rows, or none of them
                    for nom in noms:
                        services.accept_nomination(nom, actor=request.user)
                messages.success(request, f"已审核通过：{'、'.join(n.display_name for n in noms)}。")
                return redirect(request.get_full_path())
            if action == "return":
                pk = request.POST.get("nomination", "")
                nom = selectors.screening_nomination(quota, int(pk) if pk.isdigit() else 0)
                form = ReturnForm(request.POST, prefix=f"ret{nom.pk}")
                return_forms[nom.pk] = form
                form.is_valid()
                services.return_nomination(nom, reason=form.cleaned_data.get("reason", ""), actor=request.user)
                messages.success(request, f"已退回“{nom.display_name}”，推荐单位将看到退回原因。")
                return redirect(request.get_full_path())
            if action == "party_group":
                party_form = PartyGroupForm(request.POST, request.FILES)
                if party_form.is_valid():
                    data = dict(party_form.cleaned_data)
                    if not data["minutes"]:
                        data.pop("minutes")
                    try:
                        services.record_party_group_decision(
                            campaign=quota.campaign, organisation=quota.organisation, actor=request.user, **data
                        )
                    except ValidationError as exc:
                        errors_to_form(party_form, exc)
                    else:
                        messages.success(request, "党组（委）集体研究意见已记录。")
                        return redirect(request.get_full_path())
            if action == "submit":
                submission = services.submit_to_office(quota=quota, actor=request.user)
                count = sum(len(v) for v in submission.ranking.values())
                messages.success(request, f"已向领导小组办公室报送{count}个推荐对象。")
                return redirect(request.get_full_path())
        except RuleError as exc:
            key = action if action in ("accept", "submit", "party_group") else "return"
            if key == "return" and return_forms:
                pk, form = next(iter(return_forms.items()))
                form.add_error("reason", exc.message)
            elif key == "party_group":
                party_form.add_error(None, exc.message)
            else:
                alerts[key] = exc.message
    filter_form, filters = _queue_filters(request, quota)
    rows = selectors.screening_rows(quota, **filters)
    for row in rows:
        row.return_form = return_forms.get(row.pk) or ReturnForm(prefix=f"ret{row.pk}")
    return render(request, "nominations/screening_queue.html", {
        "quota": quota, "campaign": quota.campaign, "rows": rows, "filter_form": filter_form,
        "party_form": party_form, "decisions": selectors.party_group_decisions(quota),
        "stage": selectors.submission_stage(quota.campaign), "alerts": alerts,
        "categories": Category.choices,
    })


@login_required
def screening_ranking(request, quota_id, category):
    quota = selectors.access_screening_quota(request.user, quota_id)
    if category not in Category.values:
        raise Http404
    items = selectors.accepted_for_ranking(quota, category)
    what = f"{Category(category).label}推荐对象"
    form = RankingForm(request.POST or None, items=items, what=what)
    if request.method == "POST" and form.is_valid():
        try:
            services.rank_nominations(quota=quota, category=category, ordered_ids=form.ordered_ids(), actor=request.user)
        except RuleError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{Category(category).label}推荐排序已保存。")
            return redirect("nominations:screening_queue", quota_id=quota.pk)
    return render(request, "nominations/screening_ranking.html", {
        "quota": quota, "campaign": quota.campaign, "form": form, "items": _ranking_items(form, items),
        "category": category, "category_label": Category(category).label,
    })


@login_required
def consultations(request, quota_id, pk):
    quota = selectors.access_screening_quota(request.user, quota_id)
    nom = selectors.screening_nomination(quota, pk)
    form = ConsultationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data["scanned_form"]:
            data.pop("scanned_form")
        try:
            services.record_consultation(nom, actor=request.user, **data)
        except RuleError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "征求意见已记录。")
            return redirect("nominations:consultations", quota_id=quota.pk, pk=nom.pk)
    row = selectors.detail_row(nom)
    return render(request, "nominations/consultations.html", {
        "quota": quota, "campaign": quota.campaign, "row": row, "nom": row.nom, "form": form,
    })


@login_required
def consultation_form_file(request, quota_id, pk, department):
    quota = selectors.access_screening_quota(request.user, quota_id)
    nom = selectors.screening_nomination(quota, pk)
    consultation = selectors.detail_row(nom).consultations.get(department)
    if consultation is None or not consultation.scanned_form:
        raise Http404
    name = consultation.scanned_form.name.rsplit("/", 1)[-1]
    record(Action.DOWNLOAD, request=request, obj=consultation, object_repr=f"{nom} · {consultation}", detail={"文件": name})
    return FileResponse(consultation.scanned_form.open("rb"), as_attachment=True, filename=name)


@login_required
def quota_progress(request, quota_id):
    quota = selectors.access_screening_quota(request.user, quota_id)
    lines, units, statuses = selectors.quota_progress(quota)
    return render(request, "nominations/quota_progress.html", {
        "quota": quota, "campaign": quota.campaign, "lines": lines, "units": units, "statuses": statuses,
    })
