"""Type/parse validation (the first door for bad input): unit tests without a pipeline."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

from pipelines.sources._validate import Validator
from pipelines.sources.fx import unpivot
from pipelines.sources.web_events import EventFileReader


def test_validator_converts_good_records_and_rejects_bad_ones_with_reasons() -> None:
    validator = Validator("shop", "orders", {"created_at": "ts!", "currency": "ccy", "total": "num",
                                              "lines[].qty": "int", "lines[].rate": "float"}, ("id",), "updated_at")
    good = {"id": 1, "updated_at": "2026-04-03T14:21:09+08:00", "created_at": "2026-04-03T06:21:09Z",
            "currency": "EUR", "total": "59.90", "lines": [{"qty": "2", "rate": 1}]}
    bad = {"id": 2, "updated_at": "yesterday", "created_at": "2026-13-45", "currency": "EURO", "total": "n/a",
           "lines": [{"qty": 1.5}]}
    kept, rejects = validator.split([good, bad])
    assert kept == [good]
    assert good["updated_at"] == datetime(2026, 4, 3, 6, 21, 9, tzinfo=timezone.utc)
    assert good["total"] == "59.90" and good["lines"][0] == {"qty": 2, "rate": 1.0}
    (reject,) = rejects
    assert reject["record_key"] == "2" and reject["resource"] == "orders"
    assert json.loads(reject["raw_payload"]) == bad  # exactly what was served, not half-converted
    for fragment in ("updated_at: unparseable timestamp 'yesterday'", "created_at: unparseable timestamp",
                     "currency: unknown currency code 'EURO'", "total: not a number 'n/a'",
                     "lines[0].qty: not an integer 1.5"):
        assert fragment in reject["reason"]


def test_missing_key_or_cursor_is_a_reject_but_business_rules_pass() -> None:
    validator = Validator("ads", "daily", {"spend": "num", "date": "date!"}, ("ad_id",), "date", "date")
    kept, rejects = validator.split([{"date": "2026-04-03", "spend": "-5.0"},
                                     {"ad_id": 1, "date": "2026-04-03 00:00:00", "spend": "-5.0"}])
    assert [r["reason"] for r in rejects] == ["ad_id: missing"]
    assert kept[0]["date"] == date(2026, 4, 3) and kept[0]["spend"] == "-5.0"


def test_same_bad_record_gets_the_same_reject_id() -> None:
    validator = Validator("s", "r", {"currency": "ccy"}, ("id",))
    _, a = validator.split([{"id": 1, "currency": "XXX"}])
    _, b = validator.split([{"id": 1, "currency": "XXX"}])
    assert a[0]["reject_id"] == b[0]["reject_id"]


def test_fx_unpivot_skips_na_and_rejects_bad_cells() -> None:
    rows, bad, na = unpivot("Date,USD,JPY,ZZZ,\n2026-04-03,1.08,N/A,1.0,\n2026-02-30,1.1,160,N/A,\n2026-04-02,abc,161,N/A,\n")
    assert na == 3
    assert {(r["date"], r["currency"]) for r in rows} == {(date(2026, 4, 3), "USD"), (date(2026, 4, 2), "JPY")}
    reasons = {key: reason for key, _, reason in bad}
    assert "unknown currency code 'ZZZ'" in reasons["2026-04-03|ZZZ"]
    assert "unparseable date" in reasons["2026-02-30|USD"] and "unparseable date" in reasons["2026-02-30|JPY"]
    assert "not a number 'abc'" in reasons["2026-04-02|USD"]


def test_web_event_reader_splits_a_file_into_arrow_rows_and_rejects() -> None:
    lines = [
        {"event_id": "a", "event_name": "purchase", "event_timestamp": "2026-04-03T06:21:09.123Z", "value": 59.9,
         "currency": "EUR", "new_field": {"x": 1}},
        {"event_id": "b", "event_name": "page_view", "event_timestamp": "2026-13-45T00:00:00Z"},
        {"event_id": "c", "event_name": "purchase", "event_timestamp": "2026-04-03T06:21:09Z", "value": "n/a"},
        {"event_id": "", "event_name": "page_view", "event_timestamp": "2026-04-03T06:21:09Z"},
    ]
    raw = ("\n".join(json.dumps(x) for x in lines) + '\n{"event_id": "d", "event_na\n[1, 2]\n').encode()
    good, bad = EventFileReader().parse(raw)
    assert good.num_rows == 1 and good["event_id"].to_pylist() == ["a"]
    assert str(good.schema.field("event_timestamp").type) == "timestamp[us, tz=UTC]"
    assert good["value"].to_pylist() == [59.9] and good["new_field"].to_pylist() == ['{"x":1}']
    reasons = [reason for _, _, reason in bad]
    assert len(bad) == 5
    assert any("unparseable timestamp" in r for r in reasons) and any("value: not a number" in r for r in reasons)
    assert any("event_id: missing" in r for r in reasons) and reasons.count("line is not a JSON object") == 2
