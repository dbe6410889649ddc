"""Rewrite every encrypted value under the current FIELD_ENCRYPTION_KEY and recompute the blind
indexes (key rotation; also encrypts any plaintext left behind). Safe to run more than once."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.crypto import BlindIndexField, EncryptedCharField, keyring, rewrite_rows


class Command(BaseCommand):
    help = "用当前字段加密密钥重新加密身份证号、电话等个人信息，并重算盲索引（密钥轮换）。"

    def handle(self, *args, **options):
        key_id = keyring()[0]
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
            if not fields:
                continue
            indexes = [(f.name, f.source) for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            with transaction.atomic():
                count = rewrite_rows(model, fields, indexes)
            self.stdout.write(f"{model._meta.label}: {count} 行已用密钥 {key_id} 重新加密")
