"""Deterministic writing of the store: gzip with mtime 0 and no file name, JSON with a fixed key order and separators,
records sorted by cursor then key. Same inputs -> byte-identical files."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any, Iterable

COMPRESSLEVEL = 1  # fast; files are re-read by the server and the loaders, not archived


try:  # orjson ships with dlt (a pinned dependency); both encoders are deterministic
    import orjson

    def dumps(record: Any) -> str:
        return orjson.dumps(record).decode("utf-8")
except ImportError:  # pragma: no cover
    def dumps(record: Any) -> str:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def write_gzip_lines(path: Path, lines: Iterable[str]) -> int:
    """Write lines (no newline inside) as gzip: fixed compression level, mtime 0, no file name in the header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = lines if isinstance(lines, list) else list(lines)
    payload = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=COMPRESSLEVEL) as gz:
            gz.write(payload)
    return len(lines)


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False) + "\n",
                    encoding="utf-8")


def write_records(path: Path, records: list[tuple[Any, str, dict]]) -> int:
    """``records`` = (cursor sort value, key string, record); written sorted by (cursor, key)."""
    records.sort(key=lambda t: (t[0], t[1]))
    return write_gzip_lines(path, [dumps(r) for _, _, r in records])
