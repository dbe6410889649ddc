"""The organisation tree and the people who act for it.

nation → province/municipality → district/county or municipal department → unit → division.
Each node keeps a materialised path (``/12/40/311/``) so that "everything under X" is one
indexed prefix query, whatever the depth.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedCharField


class Level(models.TextChoices):
    NATION = "nation", _("全国")
    PROVINCE = "province", _("省级")
    DISTRICT = "district", _("区县")
    DEPARTMENT = "department", _("市级部门")
    UNIT = "unit", _("单位")
    DIVISION = "division", _("内设机构")


class Kind(models.TextChoices):
    IP_ADMIN = "ip_admin", _("知识产权管理部门")
    MUNICIPAL_ORGAN = "municipal_organ", _("市级机关")
    HOST_UNIT = "host_unit", _("主办单位")
    GOVERNMENT = "government", _("地方党委政府")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    STATE_OWNED = "state_owned", _("国有企业")
    PRIVATE = "private", _("民营企业")
    SOCIAL = "social", _("社会团体")
    OTHER = "other", _("其他")


ENTERPRISE_KINDS = frozenset({Kind.STATE_OWNED, Kind.PRIVATE})


class OrganisationQuerySet(models.QuerySet):
    def under(self, org: Organisation) -> OrganisationQuerySet:
        """The organisation and everything below it."""
        return self.filter(path__startswith=org.path)

    def under_any(self, roots) -> OrganisationQuerySet:
        q = Q(pk__in=[])
        for root in roots:
            q |= Q(path__startswith=root.path)
        return self.filter(q)


class Organisation(models.Model):
    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("性质"), max_length=24, choices=Kind.choices, default=Kind.OTHER)
    region_type = models.CharField(
        _("区划类型"), max_length=24, blank=True, help_text=_("区、县、自治县、经开区等，仅作展示")
    )
    # 重庆 五(二)/全国 一(一)(二): units at 副厅局级 and above are excluded from the awards.
    is_deputy_bureau_or_above = models.BooleanField(_("副厅局级及以上"), default=False)
    admin_level = models.CharField(_("行政级别"), max_length=24, blank=True, help_text=_("无则留空，表格中显示“无”"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["path"]
        permissions = [("act_for_organisation", _("在本机构及下级机构范围内办理业务"))]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        if self.parent_id and self.parent and self.parent.is_under(self) and self.pk:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("上级机构不能是本机构或其下级机构。"))
        super().save(*args, **kwargs)
        new_path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if new_path != old_path:
            depth = new_path.count("/") - 1
            Organisation.objects.filter(pk=self.pk).update(path=new_path, depth=depth)
            self.path, self.depth = new_path, depth
            if old_path:
                # Moved: carry the subtree along.
                for child in Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = new_path + child.path[len(old_path) :]
                    child.depth = child.path.count("/") - 1
                    Organisation.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)


    @property
    def is_enterprise(self) -> bool:
        return self.kind in ENTERPRISE_KINDS

    def is_under(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)

    def ancestors(self) -> OrganisationQuerySet:
        ids = [int(x) for x in self.path.strip("/").split("/") if x]
        return Organisation.objects.filter(pk__in=ids).order_by("depth")


class Role(models.TextChoices):
    UNIT_STAFF = "unit_staff", _("单位经办人")
    SCREENER = "screener", _("区县/市级部门审核员")
    OFFICE = "office", _("领导小组办公室")
    GROUP_MEMBER = "group_member", _("领导小组成员")
    CONSULTED = "consulted", _("征求意见单位")
    AUDITOR = "auditor", _("审计管理员")
    ADMIN = "admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")


# 三员分立 (GB/T 22239-2019 第三级 8.1.4.2): the three administrators. An account holds at most one
# of them and then no business role; the database refuses anything else (see orgs/duties.py).
ADMIN_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
BUSINESS_ROLES = frozenset(set(Role) - ADMIN_ROLES)


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("本人工作的机构，用于回避（不得评审本单位推荐对象）"),
    )
    phone = EncryptedCharField(_("办公电话"), max_length=40, blank=True)  # encrypted at rest (core.crypto)
    # 等保2.0 身份鉴别: passwords expire (accounts.policy.password_expired); set_password resets the
    # clock. Accounts that existed before the field count from the day its migration ran.
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now, editable=False)
    # Mixed into the session hash: changing it ends every session of the user (logout, password
    # change, second-factor reset). See accounts.policy.end_all_sessions.
    security_stamp = models.CharField(max_length=32, default="", blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "security_stamp"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password) -> None:
        """A new password: the 90-day clock restarts and every other session ends."""
        self.__dict__.pop("_known_session_hash", None)
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.rotate_security_stamp()

    def check_password(self, raw_password) -> bool:
        def rehash(raw):
            # Django re-hashes on a stronger hasher: the same password, so neither clock nor stamp moves.
            AbstractUser.set_password(self, raw)
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash)

    def rotate_security_stamp(self) -> None:
        """A new stamp: every session made before it no longer matches (saved by the caller)."""
        self.__dict__.pop("_known_session_hash", None)
        self.security_stamp = secrets.token_hex(16)

    def _get_session_auth_hash(self, secret=None):
        # The copy of the user a request is served from (accounts.backends) carries its hash, not the
        # password hash it was made from.
        known = self.__dict__.get("_known_session_hash")
        if known is not None and secret is None:
            return known
        # Django's hash covers the password only; the stamp lets logout end the other sessions too.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.security_stamp}", secret=secret, algorithm="sha256").hexdigest()


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(models.Model):
    """A role held over a part of the tree: the user acts for ``scope`` and everything below it."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    scope = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("管辖范围")
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("授权人")
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope"],
                condition=Q(revoked_at__isnull=True),
                name="role_unique_active_assignment",
            ),
            # 三员分立: one administrator role per account (the mix with business roles is refused by
            # the trigger orgs_roleassignment_duties, migration 0002: a constraint spans one row only).
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True, role__in=["admin", "security_admin", "auditor"]),
                name="role_one_active_admin_role_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope}"


class SecurityPolicy(models.Model):
    """The security administrator's settings; one row (pk=1). Read through ``orgs.policy.current_policy()``.

    An empty field falls back to the value in settings, so a fresh installation behaves as configured.
    """

    lockout_limit = models.PositiveSmallIntegerField(
        _("连续登录失败锁定次数"), null=True, blank=True, help_text=_("连续失败达到该次数后锁定账号")
    )
    cooloff_minutes = models.PositiveIntegerField(_("锁定时长（分钟）"), null=True, blank=True)
    password_max_age_days = models.PositiveIntegerField(
        _("密码最长使用期限（天）"), null=True, blank=True, help_text=_("到期后须修改密码；0 表示不限")
    )
    session_idle_minutes = models.PositiveIntegerField(_("会话空闲超时（分钟）"), null=True, blank=True)
    max_sessions_per_user = models.PositiveSmallIntegerField(
        _("每个账号同时在线会话数"), null=True, blank=True, help_text=_("0 表示不限")
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="securitypolicy_single_row"),
            models.CheckConstraint(condition=Q(lockout_limit__isnull=True) | Q(lockout_limit__gte=1), name="securitypolicy_lockout_at_least_1"),
            models.CheckConstraint(condition=Q(session_idle_minutes__isnull=True) | Q(session_idle_minutes__gte=1), name="securitypolicy_idle_at_least_1"),
        ]

    def __str__(self) -> str:
        return str(_("安全策略"))

    def clean(self):
        from .policy import max_idle_minutes

        errors = {}
        if self.cooloff_minutes is not None and self.cooloff_minutes < 1:
            errors["cooloff_minutes"] = _("锁定时长至少 1 分钟。")
        # The session cookie lives SESSION_COOKIE_AGE after the last request: a longer idle time
        # could not be honoured (the cookie would end the session first), so it is refused here.
        limit = max_idle_minutes()
        if self.session_idle_minutes is not None and self.session_idle_minutes > limit:
            errors["session_idle_minutes"] = _("会话空闲超时不能超过系统配置的上限 %(limit)s 分钟。") % {"limit": limit}
        if errors:
            raise ValidationError(errors)
