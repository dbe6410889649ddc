"""Import and export pages: read input, call one service or selector, render."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from audit.log import Action, Outcome, record
from awards.models import Category
from awards.selectors import access_campaign

from . import exports, imports
from .io_forms import ImportUploadForm
from .io_selectors import (
    access_import_job,
    access_import_unit,
    access_office_summary,
    access_summary_quota,
    io_overview,
    recent_jobs,
)
from .rules import RuleError


def _xlsx(data: bytes, filename: str) -> FileResponse:
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=imports.XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"  # the summary lists mobile numbers
    return response


@login_required
def index(request):
    return render(request, "nominations/io/index.html", {"entries": io_overview(request.user)})


@login_required
@require_GET
def download_template(request, slug, category):
    campaign = access_campaign(request.user, slug)
    if category not in Category.values:
        raise Http404("没有该类别的导入模板。")
    unit = access_import_unit(request.user, campaign, request.GET["unit"]) if request.GET.get("unit") else None
    data = imports.build_template(campaign, category, unit=unit)
    filename = imports.template_filename(campaign, category)
    record(Action.DOWNLOAD, request=request, obj=campaign, detail={"文件": filename, "类别": category})
    return _xlsx(data, filename)


@login_required
def upload(request, slug, unit_pk):
    campaign = access_campaign(request.user, slug)
    unit = access_import_unit(request.user, campaign, unit_pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_import(
                campaign=campaign, unit=unit, category=form.cleaned_data["category"],
                upload=form.cleaned_data["file"], actor=request.user,
            )
        except RuleError as exc:
            form.add_error("file" if exc.code == "file" else None, exc.message)
            record(Action.IMPORT, request=request, obj=unit, outcome=Outcome.FAILURE, detail={
                "活动": campaign.slug, "类别": form.cleaned_data["category"], "文件": form.cleaned_data["file"].name,
                "原因": exc.message[:200],
            })
        else:
            record(Action.IMPORT, request=request, obj=job, detail={
                "活动": campaign.slug, "单位": unit.pk, "类别": form.cleaned_data["category"], "文件": job.original_name,
            })
            return redirect("nominations_io:job", pk=job.pk)
    elif request.method == "POST":
        upload = request.FILES.get("file")
        record(Action.IMPORT, request=request, obj=unit, outcome=Outcome.FAILURE, detail={
            "活动": campaign.slug, "文件": upload.name[:200] if upload else "", "原因": "上传的文件不符合要求",
        })
    return render(
        request,
        "nominations/io/upload.html",
        {
            "campaign": campaign, "unit": unit, "form": form, "jobs": recent_jobs(campaign, unit),
            "categories": Category.choices, "max_rows": imports.MAX_ROWS,
        },
    )


def _job_context(job):
    return {
        "job": job,
        "errors": [dict(e, text=imports.format_error(e)) for e in job.errors],
    }


@login_required
@require_GET
def job_detail(request, pk):
    job = access_import_job(request.user, pk)
    return render(request, "nominations/io/job.html", _job_context(job))


@login_required
@require_GET
def job_progress(request, pk):
    """The fragment the job page polls (htmx, every second) until the job has finished."""
    job = access_import_job(request.user, pk)
    return render(request, "nominations/io/_progress.html", _job_context(job))


@login_required
@require_GET
def export_quota(request, slug, org_pk):
    campaign = access_campaign(request.user, slug)
    quota = access_summary_quota(request.user, campaign, org_pk)
    data = exports.build_summary(campaign, quota=quota)
    filename = exports.summary_filename(campaign, quota=quota)
    record(Action.EXPORT, request=request, obj=quota, detail={"文件": filename, "活动": campaign.slug})
    return _xlsx(data, filename)


@login_required
@require_GET
def export_office(request, slug):
    campaign = access_campaign(request.user, slug)
    access_office_summary(request.user, campaign)
    data = exports.build_summary(campaign)
    filename = exports.summary_filename(campaign)
    record(Action.EXPORT, request=request, obj=campaign, detail={"文件": filename})
    return _xlsx(data, filename)
