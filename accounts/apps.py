from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "身份鉴别"

    def ready(self) -> None:
        from . import session_store, signals  # noqa: F401

        session_store.connect()
