"""The auditor's pages: read the trail, filter it, export it, check the chain. GET only: the
auditor changes nothing (the one write is the audit row of an export or a check)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_GET

from . import exports, permissions, selectors
from .chain import verify
from .forms import AuditFilterForm
from .log import Action, record
from .models import ChainHead
from .retention import retention_days


def _filtered(request):
    scopes = permissions.require_auditor(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters, selectors.events(scopes, filters)


@login_required
@require_GET
def event_list(request):
    form, filters, qs = _filtered(request)
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {
        "form": form, "page": page, "head": ChainHead.objects.filter(pk=1).first(),
        "retention_days": retention_days(), "query": request.GET.urlencode(),
    })


@login_required
@require_GET
def export(request, fmt: str):
    form, filters, qs = _filtered(request)
    content, count = (exports.to_xlsx if fmt == "xlsx" else exports.to_csv)(qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"审计日志-{stamp}.{fmt}"
    record(Action.AUDIT, request=request, object_type="audit.auditevent", object_repr="导出审计日志",
           detail={"格式": fmt, "条数": count, "条件": selectors.described_filters(filters)})
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else "text/csv; charset=utf-8"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def chain_status(request):
    permissions.require_auditor(request.user)
    verdict = verify()
    head = ChainHead.objects.filter(pk=1).first()  # as verified, before this check's own row
    record(Action.AUDIT, request=request, object_type="audit.auditevent", object_repr="核验审计日志哈希链",
           detail={"结果": "完整" if verdict.ok else "断开", "已核验": verdict.checked,
                   **({"断点": verdict.broken_at} if verdict.broken_at else {})})
    return render(request, "audit/chain.html", {
        "verdict": verdict, "head": head, "retention_days": retention_days(),
    })
