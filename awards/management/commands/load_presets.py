from django.core.management.base import BaseCommand, CommandError

from awards.presets import PRESETS, apply_preset
from orgs.reference import load_reference_tree


class Command(BaseCommand):
    help = "载入机构树和三个预置评选表彰活动（重庆2023、全国2021、天津2022），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help=f"只载入这些预置（默认全部）：{', '.join(PRESETS)}")

    def handle(self, *args, keys, **options):
        unknown = sorted(set(keys) - set(PRESETS))
        if unknown:
            raise CommandError(f"未知的预置：{', '.join(unknown)}；可选：{', '.join(PRESETS)}")
        tree = load_reference_tree()
        for key in keys or PRESETS:
            campaign = apply_preset(key, tree=tree)
            self.stdout.write(f"已载入：{campaign.title}（{campaign.quotas.count()} 个推荐名额）")
