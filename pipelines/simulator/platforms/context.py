"""What every platform renderer needs: the world, the recorded real world, and visibility at as_of."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..clock import MS_PER_DAY
from ..markets import MARKETS, MINOR_UNITS
from ..purchases import SHOPIFY, OrderBatch
from ..rng import Stream
from ..store_writer import SortedSpool

Record = tuple  # (cursor sort value, key string, record dict)


@dataclass
class RenderContext:
    world: object
    rec: object
    ads: object
    identity: object
    mess: object
    spill_dir: object = None                         # folder for sorted chunks of large resources
    resources: dict = field(default_factory=dict)   # "source/resource" -> SortedSpool
    summary_hook: object = None                      # called with (resource, record) for the mess summary

    def __post_init__(self) -> None:
        w = self.world
        self.cal = w.cal
        self.as_of = w.as_of_day
        self.as_of_end_ms = (self.as_of + 1) * MS_PER_DAY - 1
        self.orders: OrderBatch | None = self.rec.orders
        self.order_rows = self.rec.tables.get("orders", {})
        self.shop_offset = int(w.scenario["shop_utc_offset_hours"])
        self.drift_ms = (w.cal.day_of(w.scenario["mess"]["schema_drift_date"]) * MS_PER_DAY
                         if self.mess.enabled else None)

    # --- time formats -------------------------------------------------------------------------------------------
    def shop_time(self, ms) -> str:
        return self.cal.fmt_offset_s(ms, self.shop_offset)

    def utc(self, ms) -> str:
        return self.cal.fmt_utc_s(ms)

    def utc_ms(self, ms) -> str:
        return self.cal.fmt_utc_ms(ms)

    def date(self, day) -> str:
        return self.cal.fmt_date(day)

    def epoch_s(self, ms) -> int:
        return (self.cal.epoch_ms + int(ms)) // 1000

    def visible(self, ms) -> bool:
        return int(ms) <= self.as_of_end_ms

    def drifted(self, ms) -> bool:
        return self.drift_ms is not None and int(ms) >= self.drift_ms

    def add(self, resource: str, cursor, key: str, record: dict) -> None:
        """Queue a record for the store (serialised now; records must not be changed after ``add``)."""
        spool = self.resources.get(resource)
        if spool is None:
            spool = self.resources[resource] = SortedSpool(self.spill_dir, resource)
        spool.add(cursor, key, record)
        if self.summary_hook is not None:
            self.summary_hook(resource, record)

    def u(self, stream: int, day: int, ids, width: int = 8, salt: int = 0) -> np.ndarray:
        return self.world.rng.keyed_block(stream, day, np.asarray(ids, dtype=np.int64), width=width, salt=salt)

    # --- orders -----------------------------------------------------------------------------------------------------
    def order_ms(self, o: int) -> int:
        return int(self.order_rows["day"][o]) * MS_PER_DAY + int(self.order_rows["tod"][o])

    def shopify_orders(self) -> np.ndarray:
        if self.orders is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.orders.platform == SHOPIFY)

    def market(self, o: int):
        return MARKETS[int(self.orders.market[o])]

    def digits(self, o: int) -> int:
        return MINOR_UNITS[self.market(o).currency]

    def event_times(self, o: int) -> dict[str, int]:
        """Instants (ms) of an order's later events, fixed at order time (visible only once they happened)."""
        table = self.__dict__.get("_event_times")
        if table is None:
            table = self.__dict__["_event_times"] = self._all_event_times()
        return {k: int(v[o]) for k, v in table.items()}

    def _all_event_times(self) -> dict[str, np.ndarray]:
        ob = self.orders
        rows = self.order_rows
        start = rows["day"].astype(np.int64) * MS_PER_DAY + rows["tod"].astype(np.int64)
        u = np.zeros((len(start), 6))
        for d in np.unique(ob.day):
            m = ob.day == d
            u[m] = self.world.rng.keyed_block(Stream.LOGISTICS, int(d), ob.person[m].astype(np.int64), width=6, salt=1)
        label = start + 1_800_000 + (u[:, 0] * 7_200_000).astype(np.int64)
        shipped = np.maximum(ob.ship_day.astype(np.int64) * MS_PER_DAY + 28_800_000 + (u[:, 1] * 28_800_000).astype(np.int64),
                             label + 3_600_000)
        delivered = np.maximum(ob.delivered_day.astype(np.int64) * MS_PER_DAY + 32_400_000
                               + (u[:, 2] * 32_400_000).astype(np.int64), shipped + 3_600_000)
        day_end = (ob.day.astype(np.int64) + 1) * MS_PER_DAY - 1
        same_day = start + ((day_end - start) * u[:, 3]).astype(np.int64)  # cancelled before midnight (UTC)
        later = ob.cancel_day.astype(np.int64) * MS_PER_DAY + 36_000_000 + (u[:, 3] * 20_000_000).astype(np.int64)
        cancel = np.where(ob.cancel_day <= ob.day, same_day, later)
        cancel = np.where(ob.cancelled & (ob.cancel_day >= ob.delivered_day), delivered + 7_200_000, cancel)  # COD refused
        refund = np.maximum(ob.refund_day.astype(np.int64) * MS_PER_DAY + 39_600_000
                            + (u[:, 4] * 18_000_000).astype(np.int64), delivered + 86_400_000)
        return {"created": start, "label": label, "shipped": shipped, "delivered": delivered, "cancelled": cancel,
                "refunded": refund, "return_started": refund - 3 * MS_PER_DAY}

    def cancelled_before_shipping(self, o: int) -> bool:
        ob = self.orders
        return bool(ob.cancelled[o]) and ob.cancel_day[o] < ob.delivered_day[o]
