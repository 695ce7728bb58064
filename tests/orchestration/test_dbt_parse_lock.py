"""`orchestration.prepare.dbt_parse`: processes started together (`make run` beside `make ui`, parallel test
workers) parse the dbt project once; the others wait for that parse and load its manifest."""
from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from orchestration import prepare
from orchestration.lib import settings


def test_concurrent_callers_run_dbt_parse_once(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "one.sql").write_text("select 1 as id\n")
    monkeypatch.setattr(settings, "dbt_project_dir", lambda: tmp_path)
    calls = []

    def fake_dbt_parse(command, **_):
        calls.append(command)
        time.sleep(0.5)  # a parse takes a while: every other caller has checked the manifest by now
        (tmp_path / "target" / "manifest.json").write_text("{}")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(prepare.subprocess, "run", fake_dbt_parse)
    with ThreadPoolExecutor(4) as pool:
        parsed = list(pool.map(lambda _: prepare.dbt_parse(), range(4)))
    assert len(calls) == 1
    assert sorted(parsed) == [False, False, False, True]
    assert prepare.dbt_parse() is False  # fresh now
    (tmp_path / "models" / "one.sql").write_text("select 2 as id\n")
    assert prepare.dbt_parse() is True and len(calls) == 2  # an edit makes it stale again
