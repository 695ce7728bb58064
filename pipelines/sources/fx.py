"""FX reference rates (ECB style): the whole history file, unpivoted to `date, currency, rate_per_eur` (`raw_fx`).

The file is wide (`Date,USD,JPY,...`, newest first, rates per 1 EUR, `N/A` where there was no fixing). Each run
downloads it and dlt's incremental keeps only dates from the last loaded one on (merge on `date, currency`).
`N/A` cells are skipped and counted in the run summary; a row with an unparseable date or a non-numeric rate, or a
column that is not an ISO-4217 code, goes to `fx_rejects`. EUR itself is not in the file (it is 1 by definition).
Real ECB: `base_url = "https://www.ecb.europa.eu/stats/eurofxref"`, `file_name = "eurofxref-hist.zip"`.
"""
from __future__ import annotations

import csv
import io
import zipfile
from typing import Any, Iterator, Optional

import dlt

from ._http import HttpSettings, PlatformClient
from ._resources import build_resource, Endpoint
from ._validate import ISO_4217, NOTES, current_load_id, make_reject, parse_date

ENDPOINT = Endpoint("rates", ("date", "currency"), "date", "date", {"rate_per_eur": "float!", "currency": "ccy!"})


def unpivot(text: str) -> tuple[list[dict], list[tuple[str, str, str]], int]:
    """Wide CSV text -> (rows, bad (record_key, raw_line, reason) per value, N/A count).

    Rejects are per value (`date|currency`) so that landed + rejected reconciles with the values served."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None) or []
    currencies = [c.strip() for c in header[1:]]
    rows: list[dict] = []
    bad: list[tuple[str, str]] = []
    na = 0
    for line in reader:
        if not line or not any(cell.strip() for cell in line):
            continue
        raw = ",".join(line)
        try:
            day = parse_date(line[0])
            date_problem = None
        except (ValueError, IndexError):
            day, date_problem = None, f"Date: unparseable date {line[0]!r}"
        for currency, cell in zip(currencies, line[1:]):
            cell = cell.strip()
            if not currency:
                continue  # ECB rows end with a trailing comma
            if cell in ("N/A", ""):
                na += cell == "N/A"
                continue
            key = f"{line[0]}|{currency}"
            problems = [date_problem] if date_problem else []
            if currency not in ISO_4217:
                problems.append(f"{currency}: unknown currency code {currency!r}")
            try:
                rate = float(cell)
            except ValueError:
                problems.append(f"{currency}: not a number {cell!r}")
            if problems:
                bad.append((key, raw, "; ".join(problems)))
            else:
                rows.append({"date": day, "currency": currency, "rate_per_eur": rate})
    return rows, bad, na


@dlt.source(name="fx")
def fx_source(
    base_url: str = dlt.config.value,
    file_name: str = "eurofxref-hist.csv",
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("fx", base_url, {}, settings)

    def fetch(cursor: Any) -> Iterator[list]:
        content = client.request(f"/{file_name}").content
        if file_name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(content)) as zf:
                content = zf.read(zf.namelist()[0])
        rows, bad, na = unpivot(content.decode("utf-8-sig"))
        NOTES.add("fx", "rates", "n/a_skipped", na)
        yield rows
        if bad:
            load_id = current_load_id()
            rejects = [make_reject("rates", {"record_key": key, "line": raw}, ("record_key",), reason, load_id)
                       | {"raw_payload": raw} for key, raw, reason in bad]
            yield dlt.mark.with_table_name(rejects, "fx_rejects")
            NOTES.add("fx", "rates", "rejected", len(bad))

    return build_resource("fx", ENDPOINT, fetch, initial_value=start_date)
