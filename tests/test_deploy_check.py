"""The production settings pass Django's deployment checklist without a single warning."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_manage_check_deploy_is_clean_with_production_settings():
    # A deployment never has the test environment's async override (browser tests set it for Playwright).
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "ALLOWED_HOSTS": "awards.example.gov.cn",
        "FIELD_ENCRYPTION_KEY": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    assert len(env["SECRET_KEY"]) == 60
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output
    assert "WARNINGS" not in output, output
