"""Configuration changes (campaigns, quotas, caps, stages, forms, the holiday calendar) → CONFIG rows.

Every configuration model but the forms table keeps simple-history records, so their changes are
read from ``post_create_historical_record``, wherever they were made (admin, a management command,
a service). The row names the fields that changed, never their values: a campaign's contact field
may hold a phone number.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from .log import Action, record_on_commit

CONFIG_MODELS = {
    "awards.campaign", "awards.awardcategory", "awards.quota", "awards.caprule", "awards.stage",
    "awards.campaignform", "workdays.holidayarrangement", "workdays.specialday",
}
# A stage's start and close are steps of the review (reviews.services records them as STATE_CHANGE).
STATE_FIELDS = {"awards.stage": {"started_at", "closed_at"}}
KIND = {"+": "新建", "~": "修改", "-": "删除"}


def _label(instance) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def _field_names(model, names) -> list[str]:
    out = []
    for name in names:
        try:
            out.append(str(model._meta.get_field(name).verbose_name))
        except Exception:
            out.append(name)
    return out


@receiver(post_create_historical_record)
def history_to_audit(sender, instance, history_instance, **kwargs):
    label = _label(instance)
    if label not in CONFIG_MODELS:
        return
    kind = history_instance.history_type
    detail = {"变更": KIND.get(kind, kind)}
    if kind == "~":
        prev = history_instance.prev_record
        if prev is not None:
            state = STATE_FIELDS.get(label, set())
            changed = [f for f in history_instance.diff_against(prev).changed_fields if f not in state]
            if not changed:
                return  # nothing but state changed (or nothing at all)
            detail["字段"] = _field_names(type(instance), changed)
    if history_instance.history_change_reason:
        detail["原因"] = str(history_instance.history_change_reason)[:200]
    record_on_commit(Action.CONFIG, obj=instance, user=history_instance.history_user, detail=detail)


def _form_changed(instance, kind: str) -> None:
    record_on_commit(Action.CONFIG, obj=instance, detail={"变更": kind, "活动": str(instance.campaign_id)})


@receiver(post_save, sender="awards.CampaignForm")
def form_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        _form_changed(instance, "新建" if created else "修改")


@receiver(post_delete, sender="awards.CampaignForm")
def form_deleted(sender, instance, **kwargs):
    _form_changed(instance, "删除")
