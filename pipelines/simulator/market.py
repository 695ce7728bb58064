"""``generate()``: build the world, simulate it, render the store and write the truth."""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .ad_structure import build_ad_structure
from .identity import IdentityCollector
from .mess import MessLedger
from .platforms import ad_platforms, amazon_sp, creators, email, fulfilment, programmes, shopify
from .platforms.context import RenderContext
from .platforms.stock_and_fx import fx_csv, render_inventory
from .platforms.web_events import WebEventsWriter
from .recorder import Recorder
from .scenario import CHANNELS, load_scenario
from .simulate import run_counterfactuals, run_real_world, run_rollouts
from .store_writer import SortedSpool, write_json
from .truth import (touchpoints_by_channel_market, write_customer_future, write_experiments, write_identity,
                    write_incrementality, write_mess, write_readme, write_response_curves)
from .world import SCALES, build_world

# Every resource of the contract (docs/contract.md §5); written even when empty.
RESOURCES = (
    "shopify/orders", "shopify/customers", "shopify/products", "amazon_sp/orders", "amazon_sp/returns",
    "google_ads/customers", "google_ads/campaigns", "google_ads/ad_groups", "google_ads/ads", "google_ads/ad_metrics_daily",
    "meta_ads/ad_accounts", "meta_ads/campaigns", "meta_ads/adsets", "meta_ads/ads", "meta_ads/creatives",
    "meta_ads/insights_daily", "tiktok_ads/advertisers", "tiktok_ads/campaigns", "tiktok_ads/adgroups", "tiktok_ads/ads",
    "tiktok_ads/report_daily", "amazon_ads/profiles", "amazon_ads/sp_daily", "email/profiles", "email/campaigns",
    "email/flows", "email/events", "creators/creators", "creators/posts", "creators/fees", "referrals/referrals",
    "experiments/experiments", "experiments/assignments", "logistics/shipments", "payments/payment_attempts",
    "inventory/stock_levels", "loyalty/members", "loyalty/points_ledger", "privacy/consent_events",
    "privacy/erasure_requests",
)


OWNED_MARKER = ".written-by-pipelines-simulator"


def _prepare(folder: Path, marker: str) -> None:
    """Empty an output folder we own (refuse to delete a folder that does not look like ours)."""
    if folder.exists():
        entries = list(folder.iterdir())
        if entries and not (folder / marker).exists() and not (folder / OWNED_MARKER).exists():
            raise FileExistsError(f"{folder} is not empty and was not written by the simulator; refusing to overwrite it")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / OWNED_MARKER).write_text("This folder is rewritten by `python -m pipelines.simulator generate`.\n")


def generate(scale: str = "small", seed: int = 42, scenario_path: str | Path | None = None, days: int | None = None,
             out_dir: str | Path = "data/sim", truth_dir: str | Path = "data/truth",
             progress: Callable[[str], None] | None = None, people: int | None = None,
             with_truth: bool = True) -> dict:
    """Generate the platform store (``out_dir``) and the ground truth (``truth_dir``); returns the manifest.

    ``scale`` is small | demo | large; ``days`` overrides the scale's number of days; ``people`` overrides the
    number of people (for scaled checks); ``with_truth=False`` writes the store only (the store is identical either
    way). Raises ``ScenarioError`` for an invalid scenario file."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r} (choose from {', '.join(SCALES)})")
    say = progress or (lambda msg: None)
    t0 = time.perf_counter()
    scenario = load_scenario(scenario_path)
    out, truth = Path(out_dir), Path(truth_dir)
    world = build_world(scenario, scale, seed, days, people)
    say(f"world: {world.pop.n} people in {len(np.unique(world.pop.market))} markets, {world.catalogue.n} products, "
        f"{len(world.creators.handle)} creators, {world.n_days} days "
        f"({world.cal.start_date} .. {world.cal.as_of_date}) + {world.total_days - world.n_days} future days for truth")
    _prepare(out, "manifest.json")
    if with_truth:
        _prepare(truth, "README.md")
    identity = IdentityCollector()
    mess = MessLedger(scenario, seed)
    ads = build_ad_structure(world.rng, world.catalogue, world.creators, scenario["creators"]["ugc_in_meta_share"])
    web = WebEventsWriter(world, ads, out, identity, mess)
    rec = Recorder(world, ads, out, identity, web)
    rec.web_writer = web
    real = run_real_world(world, rec.on_day, say, future=with_truth)
    rec.finish()
    n_orders = len(rec.orders) if rec.orders is not None else 0
    say(f"simulated: {rec.n_sessions} sessions, {n_orders} orders, {web.rows} web events in {web.files} files "
        f"({time.perf_counter() - t0:.1f}s)")

    summary = StoreSummary()
    ctx = RenderContext(world, rec, ads, identity, mess, spill_dir=out / ".spool", summary_hook=summary.observe)
    for name, fn in (("shopify", lambda: (shopify.render_orders(ctx), shopify.render_customers(ctx),
                                          shopify.render_products(ctx))),
                     ("amazon_sp", lambda: amazon_sp.render(ctx)),
                     ("ad platforms", lambda: ad_platforms.render(ctx)),
                     ("email", lambda: email.render(ctx)),
                     ("creators", lambda: creators.render(ctx)),
                     ("referrals", lambda: programmes.render_referrals(ctx)),
                     ("experiments", lambda: programmes.render_experiments(ctx)),
                     ("logistics", lambda: fulfilment.render_shipments(ctx)),
                     ("payments", lambda: fulfilment.render_payments(ctx)),
                     ("inventory", lambda: render_inventory(ctx)),
                     ("loyalty", lambda: programmes.render_loyalty(ctx)),
                     ("privacy", lambda: programmes.render_privacy(ctx))):
        fn()
    resources = {}
    for res in RESOURCES:
        spool = ctx.resources.get(res) or SortedSpool(out / ".spool", res)
        source, name = res.split("/")
        n = spool.write(out / source / f"{name}.jsonl.gz")
        resources[res] = {"rows": n, "distinct_keys": spool.distinct_keys()}
    shutil.rmtree(out / ".spool", ignore_errors=True)
    (out / "fx").mkdir(parents=True, exist_ok=True)
    csv = fx_csv(ctx)
    (out / "fx" / "eurofxref-hist.csv").write_text(csv, encoding="utf-8")
    resources["fx/rates"] = {"rows": (csv.count("\n") - 1) * (csv.split("\n", 1)[0].count(",") - 1),
                             "distinct_keys": (csv.count("\n") - 1) * (csv.split("\n", 1)[0].count(",") - 1)}
    resources["web_events/events"] = {"rows": web.rows, "distinct_keys": web.rows}
    say("store: " + ", ".join(f"{k} {v['rows']}" for k, v in resources.items() if v["rows"]) +
        f" ({time.perf_counter() - t0:.1f}s)")

    manifest = {
        "seed": seed, "scale": scale, "scenario": scenario["name"], "scenario_file": scenario["_source"],
        "start_date": world.cal.start_date.isoformat(), "as_of_date": world.cal.as_of_date.isoformat(),
        "days": world.n_days, "people": world.pop.n, "resources": resources, "web_event_files": web.files,
    }
    write_json(out / "manifest.json", manifest)

    if not with_truth:
        return manifest
    # --- truth ---------------------------------------------------------------------------------------------------
    say("truth: counterfactual worlds (each channel removed, no touchpoints, each experiment off)")
    cf = run_counterfactuals(world, say)
    if not np.array_equal(cf.orders_by_market[0], real.orders_by_market):
        raise RuntimeError("counterfactual replicate of the real world diverged (common random numbers broken)")
    say("truth: Monte Carlo rollouts of the future")
    expected = run_rollouts(world, real.states_at_as_of, progress=say)
    touches = touchpoints_by_channel_market(world, rec)
    ident = write_identity(identity, truth / "identity.parquet")
    inc = write_incrementality(world, cf, touches, truth)
    curves = write_response_curves(world, cf, real, touches, truth)
    write_customer_future(world, real, expected, truth)
    write_experiments(world, cf, truth)
    ledger = mess.ledger()
    ledger.update(summary.result(ctx, inc, world))
    write_mess(ledger, truth)
    write_readme(truth)
    say(f"truth: {len(ident)} identity rows, incrementality for {len(CHANNELS)} channels, "
        f"{len(curves['curves'])} response curves (current/oracle {curves['current_over_oracle']}), "
        f"{world.pop.n} customer futures ({time.perf_counter() - t0:.1f}s total)")
    return manifest


class StoreSummary:
    """Counts over-counting claims, late updates and schema drift while records are rendered (streaming)."""

    CLAIMS = {"google_ads/ad_metrics_daily": ("google_ads", lambda r: float(r["metrics"]["conversions"])),
              "meta_ads/insights_daily": ("meta_ads", lambda r: sum(float(a["value"]) for a in r["actions"])),
              "tiktok_ads/report_daily": ("tiktok_ads", lambda r: float(r["metrics"]["complete_payment"])),
              "amazon_ads/sp_daily": ("amazon_ads", lambda r: float(r["purchases7d"]))}
    LATE = {"shopify/orders": ("created_at", "updated_at"), "amazon_sp/orders": ("PurchaseDate", "LastUpdateDate"),
            "creators/posts": ("posted_at", "updated_at"), "creators/fees": (None, "paid_at"),
            "logistics/shipments": (None, "shipped_at"), "referrals/referrals": ("shared_at", "updated_at")}
    DRIFT = {"shopify/orders": "client_details", "meta_ads/insights_daily": "video_thruplay_watched_actions"}

    def __init__(self) -> None:
        self.claims = {p: 0.0 for p, _ in self.CLAIMS.values()}
        self.late = {r: 0 for r in self.LATE}
        self.drift = {r: 0 for r in self.DRIFT}

    def observe(self, resource: str, record: dict) -> None:
        if resource in self.CLAIMS:
            platform, getter = self.CLAIMS[resource]
            try:
                self.claims[platform] += getter(record)
            except (TypeError, ValueError, KeyError):
                pass
        if resource in self.LATE:
            created, updated = self.LATE[resource]
            self.late[resource] += (record.get(updated) is not None) if created is None else \
                (record.get(created) != record.get(updated))
        if resource in self.DRIFT:
            self.drift[resource] += self.DRIFT[resource] in record

    def result(self, ctx: RenderContext, inc, world) -> dict:
        inc_by = dict(zip(inc["channel"], inc["incremental_orders"]))
        true_orders = {"google_ads": inc_by["paid_search"] + inc_by["shopping"], "meta_ads": inc_by["paid_social_meta"],
                       "tiktok_ads": inc_by["paid_social_tiktok"], "amazon_ads": inc_by["amazon_ads"]}
        rows = ctx.order_rows
        pop = world.pop
        return {
            "over_counting": {p: {"platform_claimed_conversions": round(self.claims[p], 2),
                                  "true_incremental_orders": round(float(true_orders[p]), 3)} for p in self.claims},
            "late_updates": self.late,
            "schema_drift": {"from_date": world.scenario["mess"]["schema_drift_date"].isoformat() if ctx.mess.enabled else None,
                             **{r: {"field": f, "records": self.drift[r]} for r, f in self.DRIFT.items()}},
            "identity_traps": {
                "placeholder_email": "noemail@marketplace.invalid",
                "placeholder_email_orders": int(np.sum(rows["placeholder"])) if rows else 0,
                "household_members": int((pop.household >= 0).sum()),
                "households": int(len(np.unique(pop.household[pop.household >= 0]))),
                "email_case_variant_people": int(pop.email_case_variant.sum()),
                "phone_format_variant_people": int(pop.phone_format_variant.sum()),
            },
        }
