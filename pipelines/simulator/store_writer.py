"""Deterministic writing of the store: gzip with mtime 0 and no file name, JSON with a fixed key order and separators,
records sorted by cursor then key. Same inputs -> byte-identical files."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any, Iterable

COMPRESSLEVEL = 6


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def write_gzip_lines(path: Path, lines: Iterable[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=COMPRESSLEVEL) as gz:
            buf = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
            for line in lines:
                buf.write(line)
                buf.write("\n")
                n += 1
            buf.flush()
            buf.detach()
    return n


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False) + "\n",
                    encoding="utf-8")


def write_records(path: Path, records: list[tuple[Any, str, dict]]) -> int:
    """``records`` = (cursor sort value, key string, record); written sorted by (cursor, key)."""
    records.sort(key=lambda t: (t[0], t[1]))
    return write_gzip_lines(path, (dumps(r) for _, _, r in records))
