from django.core.management.base import BaseCommand

from workdays.services import seed_from_package


class Command(BaseCommand):
    help = "录入 chinese-calendar 数据包已知、数据库中尚无的各年节假日安排"

    def handle(self, *args, **options):
        added = seed_from_package()
        self.stdout.write(f"已录入年份：{', '.join(map(str, added)) or '无（均已存在）'}")
