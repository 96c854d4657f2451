"""Which release of the code is running: part of every rendered-page cache key, so that a deploy
never serves pages rendered by the previous release's templates.

Deploys set RELEASE_ID (e.g. the git commit); without it, a digest of the code and templates is
used, which changes whenever they do (a developer's edit included).
"""

import hashlib
import os
from functools import cache
from pathlib import Path

from django.conf import settings

_SOURCES = (".py", ".html", ".css", ".js")
_SKIP = {".venv", "var", "node_modules", ".git", "bench", "infra", "tests"}


@cache
def release_id() -> str:
    configured = str(getattr(settings, "RELEASE_ID", "") or "")
    if configured:
        return configured
    digest = hashlib.blake2b(digest_size=6)
    root = Path(settings.BASE_DIR)
    for directory, subdirectories, files in os.walk(root):  # pruned in place, in a stable order
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIP and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(_SOURCES):
                path = Path(directory, name)
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
