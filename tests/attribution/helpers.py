"""Small builders shared by the attribution tests."""
from __future__ import annotations

import pandas as pd


def make_touchpoints(paths_by_conversion: dict, start="2026-03-01") -> pd.DataFrame:
    """Touchpoints one hour apart per conversion, from {conversion_id: [channel, ...]}."""
    rows, tp_id = [], 0
    for conversion_id, channels in paths_by_conversion.items():
        for i, channel in enumerate(channels):
            rows.append({"conversion_id": conversion_id, "touchpoint_id": tp_id, "channel": channel,
                         "touched_at": pd.Timestamp(start) + pd.Timedelta(hours=i)})
            tp_id += 1
    return pd.DataFrame(rows)
