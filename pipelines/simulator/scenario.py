"""Scenario files: load, deep-merge over the default, validate.

The default scenario (``scenarios/default.yaml``) doubles as the schema: a user file may only use keys the default
has (plus known countries under ``markets`` and known regions under ``media.<channel>.regions``), every leaf must
have the default's type, and every leaf name has a declared range below. Lists of records (experiments, promotions,
...) are validated item by item against ``ITEM_SPECS``.
"""
from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .markets import MARKET_CODES, REGIONS

CHANNELS = ("paid_search", "shopping", "paid_social_meta", "paid_social_tiktok", "amazon_ads", "email",
            "affiliate_kol", "organic_search", "direct", "referral")
PAID_MEDIA_CHANNELS = ("paid_search", "shopping", "paid_social_meta", "paid_social_tiktok", "amazon_ads")
CREATOR_TIERS = ("KOL", "KOC", "UGC")

SCENARIO_DIR = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIO_PATH = SCENARIO_DIR / "default.yaml"


class ScenarioError(ValueError):
    """A scenario file is invalid; the message names the offending key."""


PROB = (0.0, 1.0)
POS = (0.0, None)
# Allowed range of every numeric leaf, by leaf name (inclusive bounds; None = unbounded).
RANGES: dict[str, tuple[float | None, float | None]] = {
    "shop_utc_offset_hours": (-12, 14),
    "initial_customer_share": PROB, "app_user_share": PROB, "phone_share": PROB, "household_share": (0.0, 0.5),
    "email_case_variant_share": PROB, "phone_format_variant_share": PROB, "placeholder_email_share": (0.0, 0.5),
    "population_share": POS, "amazon_share": PROB, "baseline_multiplier": POS, "mobile_share": PROB,
    "baseline_hazard": (0.0, 0.5), "propensity_shape": (0.05, None), "weekday_multipliers": POS,
    "rate_shape": (0.05, None), "rate_mean_days": (1.0, None), "dropout_a": (0.01, None), "dropout_b": (0.01, None),
    "late_delivery_dropout_multiplier": POS, "customer_lift_multiplier": POS,
    "basket_scale_shape": (0.1, None), "item_count_probs": PROB, "extra_quantity_prob": PROB,
    "device_count_probs": PROB,
    "lift": (0.0, 1.0), "half_life_days": (0.05, 365.0), "saturation": (1e-6, None),
    "window_days": (1, 365), "multiplier": POS,
    "direct_rate": PROB, "organic_search_rate": PROB, "referral_site_rate": PROB, "customer_visit_multiplier": POS,
    "lapsed_visit_multiplier": POS, "lapsed_open_multiplier": POS,
    "tracking_loss_share": (0.0, 0.9),
    "spend_noise": (0.0, 2.0), "adstock_decay": (0.0, 0.99), "hill_shape": (0.1, 10.0),
    "daily_spend": POS, "half_saturation": (1e-6, None), "max_clicks": POS,
    "KOL": POS, "KOC": POS, "UGC": POS, "clicks_per_1k_reach": POS, "affiliate_code_use_prob": PROB,
    "affiliate_discount": (0.0, 0.9), "ugc_in_meta_share": PROB,
    "campaigns_per_week": (0, 7), "open_rate": PROB, "click_rate_given_open": PROB, "unsubscribe_rate": PROB,
    "bounce_rate": PROB, "newsletter_signup_prob": PROB, "accepts_marketing_prob": PROB,
    "browse_abandonment_prob": PROB, "welcome_code_use_prob": PROB, "welcome_discount": (0.0, 0.9),
    "share_prob": PROB, "friends_mean": (0.0, 20.0), "click_prob": PROB, "referee_discount": (0.0, 0.9),
    "reward_usd": POS, "code_use_prob": PROB,
    "discount": (0.0, 0.9), "hazard_multiplier": POS,
    "extra_delivery_days": (0, 60), "cancel_prob": PROB, "cancel_prob_per_extra_day": PROB,
    "return_prob_per_late_day": PROB, "lost_prob": PROB,
    "join_prob": PROB, "amazon_registration_prob": PROB, "review_prob": PROB, "redeem_threshold_points": POS,
    "personalised_ads_withdrawal_prob": PROB, "email_consent_withdrawal_prob": PROB, "erasure_request_prob": PROB,
    "google_click_window_days": (1, 90), "google_modeled_conversion_share": (0.0, 5.0),
    "meta_click_window_days": (1, 90), "meta_view_through_prob": PROB, "tiktok_click_window_days": (1, 90),
    "tiktok_view_through_prob": PROB, "amazon_click_window_days": (1, 90), "amazon_halo_prob": PROB,
    "declared_share": PROB, "actual_share": PROB, "true_relative_lift": (-0.9, 10.0),
    "malformed_rate": (0.0, 0.2), "business_rule_rate": (0.0, 0.2), "bot_session_share": (0.0, 1.0),
    "fx_missing_rate": (0.0, 0.2),
}

# Lists of records: required keys and their kinds.
ITEM_SPECS: dict[str, dict[str, str]] = {
    "interactions": {"source": "channel", "target": "channel", "window_days": "int", "multiplier": "number"},
    "promotions": {"name": "str", "code": "str", "start_date": "date", "end_date": "date", "regions": "regions",
                   "discount": "number", "hazard_multiplier": "number", "code_use_prob": "number"},
    "logistics.disruptions": {"region": "region", "start_date": "date", "end_date": "date",
                              "extra_delivery_days": "int"},
    "media.flighting": {"channel": "paid_channel", "start_date": "date", "end_date": "date", "multiplier": "number"},
    "experiments": {"id": "str", "name": "str", "hypothesis": "str", "start_date": "date", "end_date": "date",
                    "markets": "markets", "variants": "variants"},
    "experiments.variants": {"name": "str", "declared_share": "number", "actual_share": "number",
                             "true_relative_lift": "number"},
}
# Dicts whose keys are open (validated against a vocabulary) rather than fixed by the default.
OPEN_MAPS = {"markets": ("country", MARKET_CODES)}
for _ch in PAID_MEDIA_CHANNELS:
    OPEN_MAPS[f"media.{_ch}.regions"] = ("region", REGIONS)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, date):
        return "date"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(f"{where}: expected a date YYYY-MM-DD, got {value!r}")


def _check_range(name: str, value: Any, where: str) -> None:
    bounds = RANGES.get(name)
    if bounds is None:
        return
    lo, hi = bounds
    values = value if isinstance(value, list) else [value]
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ScenarioError(f"{where}: expected a number, got {v!r}")
        if v != v or (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"[{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
            raise ScenarioError(f"{where}: {v!r} is out of range {rng}")


def _check_leaf(default: Any, value: Any, name: str, where: str) -> Any:
    dkind = _kind_of(default)
    if dkind == "date":
        return _as_date(value, where)
    vkind = _kind_of(value)
    if dkind == "number" and isinstance(default, int) and not isinstance(default, bool) and name in (
            "campaigns_per_week", "shop_utc_offset_hours"):
        if vkind != "number" or int(value) != value:
            raise ScenarioError(f"{where}: expected an integer, got {value!r}")
    if vkind != dkind:
        raise ScenarioError(f"{where}: expected {dkind}, got {vkind} ({value!r})")
    if dkind == "list":
        if default and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in default):
            if len(value) != len(default):
                raise ScenarioError(f"{where}: expected a list of {len(default)} numbers, got {len(value)}")
    _check_range(name, value, where)
    return value


def _check_item(spec_key: str, item: Any, where: str) -> dict:
    spec = ITEM_SPECS[spec_key]
    if not isinstance(item, dict):
        raise ScenarioError(f"{where}: expected a mapping, got {item!r}")
    for key in item:
        if key not in spec:
            raise ScenarioError(f"{where}.{key}: unknown key (allowed: {', '.join(spec)})")
    out = {}
    for key, kind in spec.items():
        w = f"{where}.{key}"
        if key not in item:
            raise ScenarioError(f"{w}: missing required key")
        v = item[key]
        if kind == "date":
            v = _as_date(v, w)
        elif kind == "str":
            if not isinstance(v, str) or not v:
                raise ScenarioError(f"{w}: expected a non-empty string, got {v!r}")
        elif kind in ("number", "int"):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ScenarioError(f"{w}: expected a number, got {v!r}")
            if kind == "int" and int(v) != v:
                raise ScenarioError(f"{w}: expected an integer, got {v!r}")
            _check_range(key, v, w)
        elif kind in ("channel", "paid_channel"):
            allowed = CHANNELS if kind == "channel" else PAID_MEDIA_CHANNELS
            if v not in allowed:
                raise ScenarioError(f"{w}: unknown channel {v!r} (allowed: {', '.join(allowed)})")
        elif kind == "region":
            if v not in REGIONS:
                raise ScenarioError(f"{w}: unknown region {v!r} (allowed: {', '.join(REGIONS)})")
        elif kind in ("regions", "markets"):
            allowed = REGIONS if kind == "regions" else MARKET_CODES
            if not isinstance(v, list):
                raise ScenarioError(f"{w}: expected a list, got {v!r}")
            for x in v:
                if x not in allowed:
                    raise ScenarioError(f"{w}: unknown {kind[:-1]} {x!r} (allowed: {', '.join(allowed)})")
        elif kind == "variants":
            if not isinstance(v, list) or len(v) < 2:
                raise ScenarioError(f"{w}: expected a list of at least 2 variants")
            v = [_check_item("experiments.variants", x, f"{w}[{i}]") for i, x in enumerate(v)]
        out[key] = v
    if "start_date" in out and out["end_date"] < out["start_date"]:
        raise ScenarioError(f"{where}.end_date: {out['end_date']} is before start_date {out['start_date']}")
    return out


def _validate(default: Any, value: Any, path: str) -> Any:
    """Validate ``value`` (already merged) against ``default``; returns the normalised value."""
    name = path.rsplit(".", 1)[-1]
    spec_path = ".".join(p for p in path.split(".") if not p.startswith("["))
    if spec_path in ITEM_SPECS:
        if not isinstance(value, list):
            raise ScenarioError(f"{path}: expected a list, got {_kind_of(value)}")
        return [_check_item(spec_path, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ScenarioError(f"{path}: expected a mapping, got {_kind_of(value)} ({value!r})")
        out = {}
        if path in OPEN_MAPS:
            what, allowed = OPEN_MAPS[path]
            template = next(iter(default.values()))
            for key, sub in value.items():
                if key not in allowed:
                    raise ScenarioError(f"{path}.{key}: unknown {what} (allowed: {', '.join(allowed)})")
                base = default.get(key, template)
                out[key] = _validate(base, sub, f"{path}.{key}")
                missing = set(base) - set(sub) if isinstance(sub, dict) else set()
                if missing:
                    raise ScenarioError(f"{path}.{key}: missing keys {sorted(missing)}")
            return out
        for key, sub in value.items():
            if key not in default:
                raise ScenarioError(f"{path + '.' if path else ''}{key}: unknown key"
                                    f" (allowed here: {', '.join(default)})")
            out[key] = _validate(default[key], sub, f"{path + '.' if path else ''}{key}")
        return out
    return _check_leaf(default, value, name, path)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    return copy.deepcopy(override)


def _cross_checks(s: dict) -> None:
    for key in ("device_count_probs",):
        if abs(sum(s["population"][key]) - 1) > 1e-6:
            raise ScenarioError(f"population.{key}: probabilities must sum to 1")
    if abs(sum(s["order_value"]["item_count_probs"]) - 1) > 1e-6:
        raise ScenarioError("order_value.item_count_probs: probabilities must sum to 1")
    if sum(m["population_share"] for m in s["markets"].values()) <= 0:
        raise ScenarioError("markets: at least one market needs population_share > 0")
    regions_with_people = {r for r in REGIONS}
    for ch in PAID_MEDIA_CHANNELS:
        for region in s["media"][ch]["regions"]:
            if region not in regions_with_people:
                raise ScenarioError(f"media.{ch}.regions.{region}: unknown region")
    ids = set()
    for i, exp in enumerate(s["experiments"]):
        where = f"experiments[{i}]"
        if exp["id"] in ids:
            raise ScenarioError(f"{where}.id: duplicate experiment id {exp['id']!r}")
        ids.add(exp["id"])
        for share in ("declared_share", "actual_share"):
            total = sum(v[share] for v in exp["variants"])
            if abs(total - 1) > 0.011:
                raise ScenarioError(f"{where}.variants: {share} must sum to 1 (got {total:g})")
        names = [v["name"] for v in exp["variants"]]
        if len(set(names)) != len(names):
            raise ScenarioError(f"{where}.variants: duplicate variant names")
    for i, inter in enumerate(s["interactions"]):
        if inter["source"] == inter["target"]:
            raise ScenarioError(f"interactions[{i}]: source and target must differ")


def load_scenario(path: str | Path | None = None) -> dict:
    """Load a scenario file (or the default), merged over the default and validated. Raises ScenarioError."""
    default = yaml.safe_load(DEFAULT_SCENARIO_PATH.read_text())
    if path is None:
        merged = copy.deepcopy(default)
        label = "default"
    else:
        p = Path(path)
        if not p.is_file():
            raise ScenarioError(f"scenario file not found: {p}")
        try:
            user = yaml.safe_load(p.read_text())
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{p}: not valid YAML: {exc}") from None
        if user is None:
            user = {}
        if not isinstance(user, dict):
            raise ScenarioError(f"{p}: the top level must be a mapping of keys")
        for key in user:
            if key not in default:
                raise ScenarioError(f"{key}: unknown key (allowed at top level: {', '.join(default)})")
        merged = _merge(default, user)
        label = str(p)
    try:
        validated = _validate(default, merged, "")
        _cross_checks(validated)
    except ScenarioError as exc:
        raise ScenarioError(f"{label}: {exc}") from None
    validated["_source"] = label if path is None else str(Path(path))
    return validated
