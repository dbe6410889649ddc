"""Demo data: the reference tree, the three presets, a live Chongqing run, units and one login per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from awards.models import Campaign
from awards.presets import apply_preset, load_reference_tree
from orgs.models import Kind, Level, Role, User
from orgs.services import ensure_organisation, grant_role
from workdays.services import seed_from_package

DEMO_PASSWORD = "Demo@2026"
LIVE_SLUG = "cq-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    description: str


def _units(tree):
    """A few realistic units under several districts and departments (names are illustrative)."""
    yubei_ip = tree.cq_ip_admins["渝北区"]
    units = {
        "yubei_center": ensure_organisation(name="渝北区知识产权保护中心", parent=yubei_ip, level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION),
        "yubei_division": ensure_organisation(name="保护科", parent=yubei_ip, level=Level.DIVISION, kind=Kind.IP_ADMIN),
        "yubei_court": ensure_organisation(name="渝北区人民法院", parent=tree.cq_districts["渝北区"], level=Level.UNIT, kind=Kind.OTHER),
        "yubei_soe": ensure_organisation(name="重庆渝北科创投资集团有限公司", parent=tree.cq_districts["渝北区"], level=Level.UNIT, kind=Kind.STATE_OWNED),
        "yubei_private": ensure_organisation(name="重庆星途智能装备有限公司", parent=tree.cq_districts["渝北区"], level=Level.UNIT, kind=Kind.PRIVATE),
        "spb_center": ensure_organisation(name="沙坪坝区知识产权维权援助中心", parent=tree.cq_ip_admins["沙坪坝区"], level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION),
        "spb_university": ensure_organisation(name="沙坪坝区高校知识产权服务站", parent=tree.cq_districts["沙坪坝区"], level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION),
        "jlp_market": ensure_organisation(name="九龙坡区市场监督管理综合行政执法支队", parent=tree.cq_districts["九龙坡区"], level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION),
    }
    police = tree.cq_departments["市公安局"]
    units["police_econ"] = ensure_organisation(name="经济犯罪侦查总队", parent=police, level=Level.DIVISION, kind=Kind.MUNICIPAL_ORGAN, admin_level="处级")
    market = tree.cq_departments["市市场监督管理局"]
    units["market_law"] = ensure_organisation(name="法规处", parent=market, level=Level.DIVISION, kind=Kind.MUNICIPAL_ORGAN, admin_level="处级")
    units["market_enforce"] = ensure_organisation(name="重庆市市场监督管理局执法总队", parent=market, level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION)
    return units


def _user(username, full_name, organisation, *, password_hash: str, staff=False, superuser=False) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    user.full_name = full_name
    user.organisation = organisation
    user.is_staff = staff or superuser
    user.is_superuser = superuser
    if created or not user.has_usable_password():
        user.password = password_hash  # hashed once for all demo logins: hashing is slow on purpose
    user.password_changed_at = timezone.now()  # fresh at each load: the 90-day rule never bites the demo
    user.save()
    return user


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    # The calendar comes with the migrations; a database flushed since (tests) gets it back.
    seed_from_package()
    tree = load_reference_tree()
    for key in ("chongqing-2023", "national-2021", "tianjin-2022"):
        apply_preset(key, tree=tree)
    today = timezone.localdate()
    apply_preset(
        "chongqing-2023", tree=tree, slug=LIVE_SLUG,
        title=f"重庆市知识产权保护工作先进集体和先进个人评选表彰（{today.year}年·演示）",
        start=today - timezone.timedelta(days=3), status=Campaign.Status.OPEN,
    )
    units = _units(tree)
    plan = [
        ("unit_yubei", "李文静", units["yubei_center"], Role.UNIT_STAFF, units["yubei_center"], "单位经办人：渝北区知识产权保护中心"),
        ("unit_police", "赵 勇", units["police_econ"], Role.UNIT_STAFF, units["police_econ"], "单位经办人：市公安局经济犯罪侦查总队"),
        ("district_yubei", "王建国", tree.cq_ip_admins["渝北区"], Role.SCREENER, tree.cq_districts["渝北区"], "区县审核员：渝北区知识产权局"),
        ("district_spb", "陈晓梅", tree.cq_ip_admins["沙坪坝区"], Role.SCREENER, tree.cq_districts["沙坪坝区"], "区县审核员：沙坪坝区知识产权局"),
        ("dept_market", "周 涛", tree.cq_departments["市市场监督管理局"], Role.SCREENER, tree.cq_departments["市市场监督管理局"], "市级部门审核员：市市场监督管理局"),
        ("office", "张 敏", tree.cq_office, Role.OFFICE, tree.chongqing, "领导小组办公室：市知识产权局知识产权保护处"),
        ("member_liu", "刘志强", tree.cq_host, Role.GROUP_MEMBER, tree.chongqing, "领导小组成员"),
        ("consult_police", "孙 磊", tree.cq_departments["市公安局"], Role.CONSULTED, tree.cq_departments["市公安局"], "征求意见单位：市公安局"),
        ("auditor", "吴 芳", tree.cq_host, Role.AUDITOR, tree.chongqing, "审计管理员：只读，查阅审计记录"),
        ("nat_office", "郑 华", tree.cnipa_office, Role.OFFICE, tree.nation, "全国领导小组办公室：国家知识产权局人事司"),
    ]
    logins = []
    password_hash = make_password(DEMO_PASSWORD)
    for username, name, org, role, scope, description in plan:
        user = _user(username, name, org, password_hash=password_hash)
        grant_role(user=user, role=role, scope=scope)
        logins.append(DemoLogin(username, name, role, description))
    # 三员分立 (orgs/duties.py): three accounts, none a Django superuser. A superuser passes every
    # permission check, so it exists only for break-glass use, made by hand with createsuperuser.
    admin = _user("admin", "系统管理员", tree.cq_host, password_hash=password_hash, staff=True)
    grant_role(user=admin, role=Role.ADMIN, scope=tree.nation)
    logins.append(DemoLogin("admin", "系统管理员", Role.ADMIN, "系统管理员：账号、配置与备份（后台管理），不办理业务"))
    secadmin = _user("secadmin", "安全管理员", tree.cq_host, password_hash=password_hash)
    grant_role(user=secadmin, role=Role.SECURITY_ADMIN, scope=tree.nation)
    logins.append(DemoLogin("secadmin", "安全管理员", Role.SECURITY_ADMIN, "安全管理员：授权与安全策略（/security/），不办理业务"))
    return logins
