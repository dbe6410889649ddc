from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "系统"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import checks  # noqa: F401  (registers the task checks)
        from .versions import end_memo, model_changed, start_memo

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(model_changed, dispatch_uid=f"core_versions_{id(signal)}")
        request_started.connect(start_memo, dispatch_uid="core_versions_start")
        request_finished.connect(end_memo, dispatch_uid="core_versions_end")
