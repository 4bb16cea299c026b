"""Stable digests: of the manifests a plan was made from, and of the live state it read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_value(value: Any) -> str:
    """`sha256:<hex>` of a JSON-able value, independent of key order."""
    return "sha256:" + hashlib.sha256(canonical_json(value).encode()).hexdigest()


def digest_files(root: Path, files: Iterable[Path]) -> str:
    """`sha256:<hex>` over the files' paths relative to `root` and their bytes."""
    hasher = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        relative = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        hasher.update(len(relative).to_bytes(8, "big") + relative)
        hasher.update(len(content).to_bytes(8, "big") + content)
    return "sha256:" + hasher.hexdigest()
