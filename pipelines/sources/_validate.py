"""Type and parse validation before records reach dlt, and the rejects they produce.

Design rule (DESIGN.md §10, "bad input has two doors"): a record whose fields cannot be parsed as their declared type
(unparseable dates, unknown ISO-4217 currency codes, non-numeric numbers, missing keys) is *not* yielded to its table:
it goes to `<source>_rejects` with the reason and the raw payload. Business-rule problems (negative spend, delivered
before shipped, quantity 0) are valid types and land.

A field spec maps a JSON path to a type; `[]` walks into lists, `!` marks a field as required:

    {"id": "int!", "updated_at": "ts!", "currency": "ccy", "line_items[].price": "num"}

Types: `ts` ISO-8601 timestamp -> aware UTC datetime; `date` YYYY-MM-DD (a midnight timestamp is accepted) -> date;
`epoch` integer seconds (kept int); `int` -> int; `float` -> float; `num` numeric (int, float or numeric string; kept as
the platform sent it, e.g. Shopify's "59.90"); `ccy` ISO-4217 code; `bool`; `text` must be a JSON string (ids the
platform documents as strings); `str` any value (presence only).
Conversions are applied only to records that pass, so a reject's `raw_payload` is exactly what the platform sent.
"""
from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable, Iterator

import dlt
from dlt.common import json as dlt_json

# ISO 4217 active alphabetic codes (2024), plus a few funds/precious-metal codes platforms emit.
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP
CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF
IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS
VED VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL XAG XAU XDR
""".split())

REJECT_COLUMNS = {
    "reject_id": {"data_type": "text", "nullable": False,
                  "description": "Hash of resource, record key and raw payload (one row per distinct bad version)"},
    "resource": {"data_type": "text", "nullable": False, "description": "Resource (raw table) the record was meant for"},
    "record_key": {"data_type": "text", "description": "Primary key value(s) joined by |, when readable"},
    "reason": {"data_type": "text", "nullable": False, "description": "Why it was rejected: `field: problem`; ..."},
    "raw_payload": {"data_type": "text", "nullable": False, "description": "The record exactly as served, JSON text"},
    "rejected_at_load": {"data_type": "text", "description": "dlt load id of the load that (last) rejected it"},
}


def rejects_table(source_name: str) -> str:
    return f"{source_name}_rejects"


# ------------------------------------------------------------------------------------------------------------------
# Parsers: return (ok, converted_value, problem)
# ------------------------------------------------------------------------------------------------------------------
_NO_CHANGE = object()


def parse_timestamp(value: Any) -> datetime:
    """ISO-8601 string -> aware UTC datetime. Naive values are taken as UTC. Raises ValueError."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) < 10:
            raise ValueError(value)
        if text[-1] in "Zz":
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    else:
        raise ValueError(value)
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            return date.fromisoformat(text)
        if len(text) > 10 and text[10] in " T":
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    raise ValueError(value)


def _check_ts(v: Any) -> tuple[Any, str | None]:
    try:
        return parse_timestamp(v), None
    except (ValueError, TypeError, OverflowError):
        return None, f"unparseable timestamp {v!r}"


def _check_date(v: Any) -> tuple[Any, str | None]:
    try:
        return parse_date(v), None
    except (ValueError, TypeError):
        return None, f"unparseable date {v!r}"


def _check_int(v: Any) -> tuple[Any, str | None]:
    if isinstance(v, bool):
        return None, f"not an integer {v!r}"
    if isinstance(v, int):
        return _NO_CHANGE, None
    if isinstance(v, float) and v.is_integer():
        return int(v), None
    if isinstance(v, str):
        text = v.strip()
        if text.lstrip("-").isdigit():
            return int(text), None
    return None, f"not an integer {v!r}"


def _check_epoch(v: Any) -> tuple[Any, str | None]:
    out, problem = _check_int(v)
    if problem:
        return None, f"not epoch seconds {v!r}"
    n = v if out is _NO_CHANGE else out
    if not 0 < n < 10**11:
        return None, f"epoch seconds out of range {v!r}"
    return out, None


def _is_number_text(text: str) -> bool:
    try:
        f = float(text)
    except ValueError:
        return False
    return math.isfinite(f) and text.strip().lower() not in ("nan", "inf", "-inf", "infinity")


def _check_num(v: Any) -> tuple[Any, str | None]:
    if isinstance(v, bool):
        return None, f"not a number {v!r}"
    if isinstance(v, (int, float)):
        return (_NO_CHANGE, None) if math.isfinite(v) else (None, f"not a finite number {v!r}")
    if isinstance(v, str) and _is_number_text(v):
        return _NO_CHANGE, None
    return None, f"not a number {v!r}"


def _check_float(v: Any) -> tuple[Any, str | None]:
    out, problem = _check_num(v)
    if problem:
        return None, problem
    f = float(v)
    return (_NO_CHANGE if isinstance(v, float) else f), None


def _check_ccy(v: Any) -> tuple[Any, str | None]:
    if isinstance(v, str) and v in ISO_4217:
        return _NO_CHANGE, None
    return None, f"unknown currency code {v!r}"


def _check_bool(v: Any) -> tuple[Any, str | None]:
    return (_NO_CHANGE, None) if isinstance(v, bool) else (None, f"not a boolean {v!r}")


def _check_text(v: Any) -> tuple[Any, str | None]:
    return (_NO_CHANGE, None) if isinstance(v, str) else (None, f"not a string {v!r}")


def _check_any(v: Any) -> tuple[Any, str | None]:
    return _NO_CHANGE, None


CHECKS: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "ts": _check_ts, "date": _check_date, "epoch": _check_epoch, "int": _check_int, "float": _check_float,
    "num": _check_num, "ccy": _check_ccy, "bool": _check_bool, "text": _check_text, "str": _check_any,
}
_EMPTY_IS_NULL = {"ts", "date", "epoch", "int", "float", "num"}


# ------------------------------------------------------------------------------------------------------------------
# Compiled spec: a tree walked once per record
# ------------------------------------------------------------------------------------------------------------------
class _Node:
    __slots__ = ("fields", "lists", "dicts")

    def __init__(self) -> None:
        self.fields: list[tuple[str, str, bool, Callable]] = []  # (name, type, required, check)
        self.lists: dict[str, _Node] = {}
        self.dicts: dict[str, _Node] = {}


def compile_spec(spec: dict[str, str]) -> _Node:
    root = _Node()
    for path, type_spec in spec.items():
        required = type_spec.endswith("!")
        type_name = type_spec.rstrip("!")
        if type_name not in CHECKS:
            raise ValueError(f"unknown field type {type_spec!r} for {path!r}")
        node = root
        parts = path.split(".")
        for part in parts[:-1]:
            if part.endswith("[]"):
                node = node.lists.setdefault(part[:-2], _Node())
            else:
                node = node.dicts.setdefault(part, _Node())
        node.fields.append((parts[-1], type_name, required, CHECKS[type_name]))
    return root


def _walk(node: _Node, obj: dict, prefix: str, problems: list[str], changes: list[tuple[dict, str, Any]]) -> None:
    for name, type_name, required, check in node.fields:
        value = obj.get(name)
        if value is None or (value == "" and type_name in _EMPTY_IS_NULL):
            if required:
                problems.append(f"{prefix}{name}: missing")
            elif value == "":
                changes.append((obj, name, None))
            continue
        out, problem = check(value)
        if problem:
            problems.append(f"{prefix}{name}: {problem}")
        elif out is not _NO_CHANGE:
            changes.append((obj, name, out))
    for name, child in node.dicts.items():
        value = obj.get(name)
        if value is None:
            _walk(child, {}, f"{prefix}{name}.", problems, changes)  # reports missing required fields only
        elif isinstance(value, dict):
            _walk(child, value, f"{prefix}{name}.", problems, changes)
        else:
            problems.append(f"{prefix}{name}: expected an object, got {type(value).__name__}")
    for name, child in node.lists.items():
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(f"{prefix}{name}: expected a list, got {type(value).__name__}")
            continue
        for i, item in enumerate(value):
            if isinstance(item, dict):
                _walk(child, item, f"{prefix}{name}[{i}].", problems, changes)
            else:
                problems.append(f"{prefix}{name}[{i}]: expected an object, got {type(item).__name__}")


def get_path(record: Any, path: str) -> Any:
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def current_load_id() -> str | None:
    try:
        return dlt.current.load_package_state()["load_id"]
    except Exception:  # noqa: BLE001 — outside an extract (unit tests) there is no load package
        return None


def make_reject(source_resource: str, record: Any, key_paths: Iterable[str], reasons: list[str] | str,
                load_id: str | None = None) -> dict:
    raw = record if isinstance(record, str) else dlt_json.dumps(record)
    if isinstance(record, dict):
        key_values = [get_path(record, k) for k in key_paths]
        record_key = "|".join("" if v is None else str(v) for v in key_values) if any(
            v is not None for v in key_values) else None
    else:
        record_key = None
    reason = reasons if isinstance(reasons, str) else "; ".join(reasons)
    digest = hashlib.sha1(f"{source_resource}\x1f{record_key}\x1f{raw}".encode()).hexdigest()
    return {"reject_id": digest, "resource": source_resource, "record_key": record_key, "reason": reason,
            "raw_payload": raw, "rejected_at_load": load_id}


class Validator:
    """Splits pages of records into good ones (converted in place) and reject rows."""

    def __init__(self, source_name: str, resource: str, spec: dict[str, str], key_paths: Iterable[str],
                 cursor: str | None = None, cursor_type: str | None = None) -> None:
        self.source_name = source_name
        self.resource = resource
        self.key_paths = tuple(key_paths)
        full_spec = dict(spec)
        for k in self.key_paths:  # keys are always required
            full_spec[k] = (full_spec.get(k, "str").rstrip("!")) + "!"
        if cursor:
            full_spec[cursor] = (full_spec.get(cursor) or cursor_type or "ts").rstrip("!") + "!"
        self.tree = compile_spec(full_spec)
        self.table = rejects_table(source_name)

    def problems(self, record: Any) -> tuple[list[str], list[tuple[dict, str, Any]]]:
        problems: list[str] = []
        changes: list[tuple[dict, str, Any]] = []
        if not isinstance(record, dict):
            return [f"record is not an object ({type(record).__name__})"], changes
        _walk(self.tree, record, "", problems, changes)
        return problems, changes

    def split(self, records: Iterable[Any]) -> tuple[list[dict], list[dict]]:
        good: list[dict] = []
        bad: list[dict] = []
        load_id = None
        for record in records:
            problems, changes = self.problems(record)
            if problems:
                if load_id is None:
                    load_id = current_load_id()
                bad.append(make_reject(self.resource, record, self.key_paths, problems, load_id))
                continue
            for obj, name, value in changes:
                obj[name] = value
            good.append(record)
        return good, bad

    def emit(self, records: Iterable[Any]) -> Iterator[Any]:
        """Yield good records (as one list) and rejects (dispatched to the rejects table)."""
        good, bad = self.split(records)
        if good:
            yield good
        if bad:
            NOTES.add(self.source_name, self.resource, "rejected", len(bad))
            yield dlt.mark.with_table_name(bad, self.table)


def add_rejects_table(resource: Any, source_name: str) -> Any:
    """Give a resource a `<source>_rejects` table variant: append-only columns, merged on `reject_id` so a re-run of the
    same window does not duplicate a reject. Reset columns first so the resource's own hints do not leak into it."""
    table = rejects_table(source_name)
    resource.apply_hints(table_name=table, columns={}, primary_key="reject_id", merge_key="",
                         write_disposition="merge", create_table_variant=True)
    resource.apply_hints(table_name=table, columns=REJECT_COLUMNS, create_table_variant=True)
    return resource


class RunNotes:
    """Process-wide counters for things the summary must show that are not rows in a table (e.g. FX `N/A` skipped)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter = Counter()

    def add(self, source: str, resource: str, what: str, n: int = 1) -> None:
        with self._lock:
            self.counts[(source, resource, what)] += n

    def for_source(self, source: str) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self._lock:
            for (src, res, what), n in self.counts.items():
                if src == source:
                    out.setdefault(res, {})[what] = n
        return out

    def reset(self, source: str | None = None) -> None:
        with self._lock:
            for key in [k for k in self.counts if source is None or k[0] == source]:
                del self.counts[key]


NOTES = RunNotes()
