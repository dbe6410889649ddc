"""Generate a campaign at full size for benchmarks (issue 8): ``manage.py generate_scale --size national --seed 1``."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.demo import load_demo
from core.scale import BENCH_PASSWORD, SIZES, generate
from workdays.services import seed_from_package


class Command(BaseCommand):
    help = "生成规模测试数据：national（全国，约2.7万个机构、1万个推荐对象）或 chongqing（重庆规模）。"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="chongqing")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--with-demo", action="store_true", help="先载入演示数据（参考机构树、预置活动）")

    def handle(self, *args, size, seed, with_demo, **options):
        started = time.monotonic()
        if with_demo:
            load_demo()
        else:
            seed_from_package()
        try:
            result = generate(size, seed, log=lambda msg: self.stdout.write(f"  {msg}"))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if connection.vendor == "postgresql":
            # Planner statistics for the bulk-loaded tables (stale ones planned seq scans and disk sorts).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"已生成“{result.campaign.title}”（{result.campaign.slug}）：机构{result.organisations}个，"
            f"推荐对象{result.nominations}个，评审记录{result.reviews}个，公示{result.notices}个，"
            f"用时{time.monotonic() - started:.0f}秒。登录密码：{BENCH_PASSWORD}"
        ))
        for role, names in result.users.items():
            self.stdout.write(f"  {role}: {names[0]}{'…' + names[-1] if len(names) > 1 else ''}")
