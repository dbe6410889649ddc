#!/usr/bin/env python3
"""Document rendering benchmark (issue 6): one approval form as PDF and as DOCX, and a 300-nominee package.

    .venv/bin/python benchmarks/documents.py [--runs 5] [--package 300] [--processes 2]

Runs on a throwaway SQLite database under a temporary VAR_DIR (migrated and loaded with the demo),
so it never touches real data, and prints the medians. Targets: PDF < 0.5 s, DOCX < 0.1 s, the
300-nominee package < 2 minutes with two processes.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as var_dir:
        env = {**os.environ, "VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        return subprocess.run([*manage, "benchmark_documents", *sys.argv[1:]], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
