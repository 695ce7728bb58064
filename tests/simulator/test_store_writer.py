"""The bounded-memory spool writes exactly what an in-memory sort would."""
from __future__ import annotations

import gzip
import random

from pipelines.simulator.store_writer import SortedSpool, dumps, write_gzip_lines


def test_spilled_chunks_merge_to_the_same_bytes_as_an_in_memory_sort(tmp_path):
    rng = random.Random(7)
    records = [(rng.randint(0, 50), f"k{i:04d}", {"id": i, "v": rng.random()}) for i in range(500)]
    small = SortedSpool(tmp_path / "spill", "x/y", chunk_size=7)
    for cursor, key, rec in records:
        small.add(cursor, key, rec)
    small.write(tmp_path / "spooled.jsonl.gz")
    expected = [dumps(r) for _, _, r in sorted(records, key=lambda t: (t[0], t[1]))]
    write_gzip_lines(tmp_path / "direct.jsonl.gz", expected)
    assert (tmp_path / "spooled.jsonl.gz").read_bytes() == (tmp_path / "direct.jsonl.gz").read_bytes()
    assert small.distinct_keys() == 500
    assert not list((tmp_path / "spill").glob("*.pkl")), "spill files are removed after writing"
    with gzip.open(tmp_path / "spooled.jsonl.gz", "rt") as fh:
        assert len(fh.read().splitlines()) == 500
