"""Same seed -> byte-identical outputs; N + 1 days extend N days (append-a-day)."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from store_compare import prefix_violations


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_store_and_truth(short_markets):
    root = short_markets["root"]
    for kind in ("sim", "truth"):
        a, b = _files(root / f"a_{kind}"), _files(root / f"b_{kind}")
        assert a.keys() == b.keys()
        different = [name for name in a if a[name] != b[name]]
        assert not different, f"{kind} files differ between identical runs: {different[:5]}"


def test_store_has_no_wall_clock_timestamps(short_markets):
    manifest = json.loads((short_markets["root"] / "a_sim" / "manifest.json").read_text())
    assert "generated_at" not in json.dumps(manifest)
    first = next((short_markets["root"] / "a_sim" / "web_events").glob("*.gz")).read_bytes()
    assert first[4:8] == b"\x00\x00\x00\x00", "gzip header must carry mtime 0"


def test_one_more_day_only_adds_that_day_and_newer_versions(short_markets):
    root, n = short_markets["root"], short_markets["days"]
    manifest = json.loads((root / "a_sim" / "manifest.json").read_text())
    new_day = date.fromisoformat(manifest["start_date"]) + timedelta(days=n)
    assert manifest["as_of_date"] == new_day.isoformat()
    problems = prefix_violations(root / "n_sim", root / "a_sim", new_day)
    assert not problems, "\n".join(problems[:20])


def test_longer_run_has_exactly_one_more_web_event_file(short_markets):
    root, n = short_markets["root"], short_markets["days"]
    assert len(list((root / "n_sim" / "web_events").glob("*.gz"))) == n
    assert len(list((root / "a_sim" / "web_events").glob("*.gz"))) == n + 1
