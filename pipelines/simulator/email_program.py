"""The brand's e-mail programme: weekly regional campaigns and triggered flows (message schedule only).

Campaigns are exogenous (region x weekday); flows are triggered by a person's state (days since subscribing,
since their last order, a session without an order). Each message has a global index used as the touch's sub-id.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import SimCalendar
from .markets import REGIONS

# (flow key, display name, trigger, step offsets in days)
FLOWS = (
    ("welcome", "Welcome series", "list_subscribe", (1, 3, 7)),
    ("post_purchase", "Post-purchase cross-sell", "placed_order", (12,)),
    ("winback", "Win-back", "placed_order", (60, 90)),
    ("browse_abandonment", "Browse abandonment", "viewed_product", (1,)),
)
FLOW_MESSAGE_BASE = 1_000_000  # sub-ids >= this are flow messages: base + flow_index * 10 + step


@dataclass
class EmailProgram:
    campaign_day: np.ndarray     # (K,) day of the send
    campaign_region: np.ndarray  # (K,) region index
    campaign_send_hour_utc: np.ndarray
    campaigns_by_day: dict[int, list[int]]

    @staticmethod
    def flow_message(flow_index: int, step: int) -> int:
        return FLOW_MESSAGE_BASE + flow_index * 10 + step


_REGION_TZ_OFFSET = {"NA": -5, "EU": 1, "UK": 0, "JPKR": 9, "SEA": 8, "LATAM": -3, "MENA": 4}


def build_email_program(scenario: dict, cal: SimCalendar, n_days: int) -> EmailProgram:
    per_week = int(scenario["email"]["campaigns_per_week"])
    days, regions, hours = [], [], []
    for day in range(n_days):
        weekday = cal.date_of(day).weekday()
        for ri, region in enumerate(REGIONS):
            send_days = {(1 + ri + 3 * k) % 7 for k in range(per_week)}
            if weekday in send_days:
                days.append(day)
                regions.append(ri)
                hours.append((10 - _REGION_TZ_OFFSET[region]) % 24)  # 10:00 local
    by_day: dict[int, list[int]] = {}
    for k, d in enumerate(days):
        by_day.setdefault(d, []).append(k)
    return EmailProgram(np.array(days, dtype=np.int32), np.array(regions, dtype=np.int8),
                        np.array(hours, dtype=np.int32), by_day)
