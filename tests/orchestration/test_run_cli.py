"""`make run` user mistakes: one clear line on stderr, exit code 2, nothing written."""

import subprocess
import sys
import textwrap

import pytest

from orchestration import run


@pytest.fixture
def tmp_env(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("WAREHOUSE_PATH", str(data / "warehouse.duckdb"))
    monkeypatch.setenv("SIM_STORE_PATH", str(data / "sim"))
    monkeypatch.setenv("TRUTH_PATH", str(data / "truth"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(run.settings.dbt_project_dir()))
    return data


def _one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ")
    assert "Traceback" not in err[0]
    return err[0]


def test_bad_scenario_is_rejected_with_the_key_named(tmp_env, tmp_path, capsys):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("no_such_key: 1\n")
    assert run.main(["--scale", "small", "--scenario", str(scenario)]) == 2
    line = _one_error_line(capsys)
    assert "no_such_key" in line
    assert not (tmp_env / "sim").exists()


def test_missing_scenario_file_is_a_user_error(tmp_env, tmp_path, capsys):
    assert run.main(["--scale", "small", "--scenario", str(tmp_path / "nope.yaml")]) == 2
    assert "scenario file not found" in _one_error_line(capsys)


def test_locked_warehouse_is_a_user_error_not_a_traceback(tmp_env, capsys):
    warehouse = tmp_env / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(warehouse)!r})
                con.execute("create table if not exists t (a int)")
                print("locked", flush=True)
                time.sleep(120)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert run.main(["--scale", "small"]) == 2
        line = _one_error_line(capsys)
        assert f"process {holder.pid}" in line
        assert "one writer" in line
    finally:
        holder.kill()
        holder.wait()


def test_a_market_from_another_simulator_version_is_regenerated_not_reused(tmp_env):
    """A store is reused only when the simulator code and scenarios it came from are unchanged."""
    import json

    store = tmp_env / "sim"
    store.mkdir(parents=True)
    (store / "manifest.json").write_text(json.dumps({"scale": "demo", "seed": 42, "days": run.default_days("demo")}))
    args = run.parse_args(["--scale", "demo"])
    request = run.market_request(args)
    assert request["simulator"].startswith("sha256:")
    (store / "market_request.json").write_text(json.dumps(request))
    assert run.store_matches(request, run.settings.sim_manifest())
    (store / "market_request.json").write_text(json.dumps({**request, "simulator": "sha256:older"}))
    assert not run.store_matches(request, run.settings.sim_manifest())
