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


class SortedSpool:
    """Collects (cursor, key, record) for one resource with bounded memory: records are serialised at once, kept in
    chunks of ``chunk_size``, each chunk sorted and spilled to a temporary file when full; ``write`` merges the
    chunks into the final gzip file in (cursor, key) order. Output is identical to sorting everything in memory."""

    def __init__(self, spill_dir: Path, name: str, chunk_size: int = 200_000) -> None:
        self.spill_dir = spill_dir
        self.name = name.replace("/", "__")
        self.chunk_size = chunk_size
        self.buffer: list[tuple] = []
        self.spills: list[Path] = []
        self.keys: set[str] | None = set()
        self.count = 0

    def add(self, cursor, key: str, record: dict) -> None:
        self.buffer.append((cursor, key, dumps(record)))
        self.count += 1
        if self.keys is not None:
            self.keys.add(key)
            if len(self.keys) > 5_000_000:  # too many to track: distinct keys = rows (one version per key)
                self.keys = None
        if len(self.buffer) >= self.chunk_size:
            self._spill()

    def _spill(self) -> None:
        import pickle
        self.buffer.sort(key=lambda t: (t[0], t[1]))
        self.spill_dir.mkdir(parents=True, exist_ok=True)
        path = self.spill_dir / f"{self.name}.{len(self.spills):05d}.pkl"
        with open(path, "wb") as fh:
            for item in self.buffer:
                pickle.dump(item, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.spills.append(path)
        self.buffer = []

    @staticmethod
    def _read(path: Path):
        import pickle
        with open(path, "rb") as fh:
            while True:
                try:
                    yield pickle.load(fh)
                except EOFError:
                    return

    def distinct_keys(self) -> int:
        return len(self.keys) if self.keys is not None else self.count

    def write(self, path: Path) -> int:
        import heapq
        self.buffer.sort(key=lambda t: (t[0], t[1]))
        if not self.spills:
            return write_gzip_lines(path, [line for _, _, line in self.buffer])
        streams = [self._read(p) for p in self.spills] + [iter(self.buffer)]
        merged = heapq.merge(*streams, key=lambda t: (t[0], t[1]))
        path.parent.mkdir(parents=True, exist_ok=True)
        n = 0
        with open(path, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=COMPRESSLEVEL) as gz:
                batch = []
                for _, _, line in merged:
                    batch.append(line)
                    n += 1
                    if len(batch) >= 50_000:
                        gz.write(("\n".join(batch) + "\n").encode("utf-8"))
                        batch = []
                if batch:
                    gz.write(("\n".join(batch) + "\n").encode("utf-8"))
        for p in self.spills:
            p.unlink()
        return n
