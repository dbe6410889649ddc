from django.conf import settings
from django.core.checks import Error, register


@register()
def retention_period(app_configs, **kwargs):
    """网络安全法 第二十一条 / 等保2.0 三级: audit logs are kept at least six months."""
    from .retention import FLOOR_DAYS

    days = getattr(settings, "AUDIT_RETENTION_DAYS", FLOOR_DAYS)
    if not isinstance(days, int) or days < FLOOR_DAYS:
        return [Error(
            f"AUDIT_RETENTION_DAYS 为 {days}：审计日志须至少保存{FLOOR_DAYS}天（六个月）。",
            hint=f"设为不小于{FLOOR_DAYS}的整数，或不设置（默认{FLOOR_DAYS}天）。",
            id="audit.E001",
        )]
    return []
