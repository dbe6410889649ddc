"""Public pages: no login (公示公告, 提出异议, 回执查询).

The notice list and the notice pages are rendered once per public version (services.public_version,
moved on whenever a notice opens, closes or changes) and kept in the shared cache as HTML, with a copy
in each process (core.localcache): a repeat visit runs no SQL and fetches only the version number.
They are rendered without the request: nothing personal, no CSRF token, no session ever ends up in
them; the objection form lives on its own uncached page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from core import localcache
from core.net import client_address

from . import selectors, services
from .forms import ObjectionForm, ReceiptLookupForm
from .models import Notice, Objection, Scope

# Even a page with no window closing is rendered afresh now and then.
PUBLIC_CACHE_SECONDS = int(getattr(settings, "PUBLIC_CACHE_SECONDS", 600))


def _cache_key(*parts) -> str:
    return ":".join(["public", str(services.public_version()), get_language() or "", *map(str, parts)])


def notice_list(request):
    filters = selectors.PublicFilters.from_query(request.GET)
    key = _cache_key("list", filters.key())
    html = localcache.get(key)
    if html is None:
        now = timezone.now()
        data = selectors.public_notice_list(filters, now=now)
        html = render_to_string("public/notice_list.html", {**data, "filters": filters, "now": now,
                                                            "scopes": Scope.choices,
                                                            "states": selectors.STATE_CHOICES}).encode()
        ttl = selectors.cache_seconds(data["notices"], now=now, ceiling=PUBLIC_CACHE_SECONDS, next_change=data["next_change"])
        localcache.put(key, html, ttl)
    return HttpResponse(html)


def notice_detail(request, pk: int):
    key = _cache_key("notice", pk)
    html = localcache.get(key)
    if html is None:
        notice = selectors.public_notice(pk)
        if notice is None:
            raise Http404("没有找到该公示。")
        now = timezone.now()
        html = render_to_string("public/notice_detail.html", {
            "notice": notice, "entries": selectors.public_entries(notice),
            "corrections": selectors.corrections_of(notice), "is_open": notice.is_open_at(now),
        }).encode()
        localcache.put(key, html, selectors.cache_seconds([notice], now=now, ceiling=PUBLIC_CACHE_SECONDS))
    return HttpResponse(html)


@never_cache
@csrf_protect
def objection(request, pk: int):
    status = 200
    if request.method == "POST":
        # The notice is read once, locked, by the filing itself (services.file_objection); the page
        # is read only to show the form again.
        form = ObjectionForm(request.POST, request.FILES, notice=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed = services.file_objection(
                    entry=data["entry"], notice_id=pk, name=data["name"], contact=data["contact"], facts=data["facts"],
                    attachment=data["attachment"], client=services.client_key(client_address(request)),
                )
            except services.PublicityError as exc:
                form.add_error("entry" if exc.code == "entry" else None, exc.message)
                if exc.code == "rate":
                    status = 429
            else:
                # Not redirect(): given a path it first tries, and fails, to reverse it as a view name.
                return HttpResponseRedirect(f"{reverse('public:receipt', args=[filed.receipt_code])}?filed=1")
    notice = Notice.objects.public().select_related("issuer", "campaign").filter(pk=pk).first()
    if notice is None:
        raise Http404("没有找到该公示。")
    if request.method != "POST":
        form = ObjectionForm(notice=notice)
    return render(request, "public/objection_form.html", {
        "notice": notice, "form": form, "is_open": notice.is_open_at(timezone.now()),
    }, status=status)


@never_cache
def receipt_lookup(request):
    form = ReceiptLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        if Objection.objects.filter(receipt_code=code).exists():
            return redirect("public:receipt", code=code)
        form.add_error("code", "没有找到该回执码，请核对后重新输入。")
    return render(request, "public/receipt_lookup.html", {"form": form})


@never_cache
def receipt(request, code: str):
    found = (
        Objection.objects.select_related("notice", "entry")
        .only(
            "receipt_code", "status", "created_at", "concluded_at", "informed_at", "public_reply",
            "notice__id", "notice__title", "notice__status", "notice__opens_at", "notice__closes_at",
            "entry__id", "entry__name", "entry__position",
        )
        .filter(receipt_code=code.strip().upper())
        .first()
    )
    if found is None:
        raise Http404("没有找到该回执码。")
    response = render(request, "public/receipt.html", {
        "objection": found, "filed": request.GET.get("filed") == "1", "concluded": not found.is_open,
    })
    response["X-Robots-Tag"] = "noindex"
    return response
