"""Time the documents: one approval form as PDF and as DOCX, and a whole package as a ZIP.

    VAR_DIR=... python manage.py benchmark_documents --runs 5 --package 300 --processes 2

Works on the configured database inside one transaction that is rolled back at the end (the demo
data is loaded first if missing); photos go to a temporary media folder. Prints the medians.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import tempfile
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings


class Rollback(Exception):
    pass


def _deeds(n: int) -> str:
    parts, i = [], 0
    while sum(map(len, parts)) < 1000:
        i += 1
        parts.append(f"第{n}号推荐对象第{i:03d}句：牵头查办专利侵权纠纷案件，推动行政裁决与司法衔接，成效显著。")
    return "".join(parts)[:1000]


class Command(BaseCommand):
    help = "Median time to render one approval form (PDF, DOCX) and to build a package of N nominees."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--package", type=int, default=300, help="nominees in the package (0: skip)")
        parser.add_argument("--processes", type=int, default=2, help="processes rendering the package")

    def handle(self, *args, runs: int, package: int, processes: int, **options):
        with tempfile.TemporaryDirectory(prefix="bench-media-") as media, override_settings(MEDIA_ROOT=media):
            try:
                with transaction.atomic():
                    self._run(runs, package, processes)
                    raise Rollback
            except Rollback:
                pass

    def _run(self, runs: int, package: int, processes: int) -> None:
        from awards.models import Campaign, Category
        from core.demo import LIVE_SLUG, load_demo
        from documents import selectors, services
        from documents.forms import individual_approval
        from documents.models import DocumentBatch
        from nominations.models import Appraisal, Consultation, Nomination, Status
        from orgs.models import Organisation, User

        if not Campaign.objects.filter(slug=LIVE_SLUG).exists():
            load_demo()
        campaign = Campaign.objects.get(slug=LIVE_SLUG)
        unit = Organisation.objects.get(name="渝北区知识产权保护中心")
        actor = User.objects.get(username="district_yubei")
        quota = services.selectors.access_package(actor, LIVE_SLUG, _quota_pk(campaign, unit))[1]
        photo = _photo()
        n = max(package, 1)
        noms = Nomination.objects.bulk_create([
            Nomination(
                campaign=campaign, category=Category.INDIVIDUAL, unit=unit, quota=quota, status=Status.ACCEPTED, rank=i,
                name=f"测试{i:03d}", gender="female" if i % 2 else "male", ethnicity="汉族", birth_date=dt.date(1985, 6, 1),
                political_status="中共党员", education="大学本科", id_number="500112198506010114", phone="13800138000",
                post="渝北区知识产权保护中心科员", rank_grade="section_staff", years_in_field=6, deeds=_deeds(i),
                brief_deeds="长期从事知识产权保护工作，查办侵权案件成效显著。" * 5, photo=photo,
            )
            for i in range(1, n + 1)
        ])
        Appraisal.objects.bulk_create([Appraisal(nomination=m, year=y, result="competent") for m in noms for y in range(2021, 2026)])
        Consultation.objects.bulk_create([
            Consultation(nomination=m, department=d, answer="no_objection", answered_on=dt.date(2026, 9, 15), recorded_by=actor)
            for m in noms for d in ("personnel", "discipline")
        ])
        one = selectors.with_form_data(Nomination.objects.filter(pk=noms[0].pk)).get()
        ctx = individual_approval.context(one)
        individual_approval.pdf(ctx)  # WeasyPrint, Pango and the fonts loaded once
        pdf = _median(runs, lambda: individual_approval.pdf(ctx))
        pdf_cpu = _median.cpu
        docx = _median(runs, lambda: individual_approval.docx(ctx))
        docx_cpu = _median.cpu
        self.stdout.write(
            f"先进个人推荐审批表（1000字事迹、照片）: PDF median {pdf:.3f} s (CPU {pdf_cpu:.3f} s), "
            f"DOCX median {docx:.3f} s (CPU {docx_cpu:.3f} s) ({runs} runs)"
        )
        if not package:
            return
        batch = DocumentBatch.objects.create(scope="quota", campaign=campaign, quota=quota, scope_key=f"quota:{quota.pk}",
                                             content_hash="benchmark", created_by=actor)
        started = time.perf_counter()
        services.build_batch(batch.pk, processes=processes)
        seconds = time.perf_counter() - started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        batch.refresh_from_db()
        self.stdout.write(
            f"{package}名推荐对象的推荐材料压缩包: {batch.total} files, {batch.size / 1e6:.1f} MB, {seconds:.1f} s "
            f"with {processes} process(es) ({seconds / package:.2f} s per nominee; "
            f"renderers' CPU {children.ru_utime + children.ru_stime:.1f} s)"
        )
        batch.file.delete(save=False)


def _quota_pk(campaign, unit) -> int:
    from awards.selectors import quota_holder_for

    return quota_holder_for(campaign, unit).pk


def _photo() -> str:
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (413, 579), (70, 110, 200)).save(buf, "JPEG", quality=90)
    return default_storage.save("nominations/bench/photo.jpg", ContentFile(buf.getvalue()))


def _median(runs: int, fn) -> float:
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    _median.cpu = statistics.median(cpu)
    return statistics.median(times)
