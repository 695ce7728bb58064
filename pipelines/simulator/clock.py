"""Simulation time: day indices, UTC instants and the string formats each platform uses.

Day 0 is the scenario's ``start_date``. An instant is an integer number of milliseconds since the start of day 0 (UTC).
Every output timestamp is derived from such an instant, never from the wall clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

MS_PER_DAY = 86_400_000
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class SimCalendar:
    start_date: date
    days: int  # days visible in the store; as_of_date = start_date + days - 1

    @property
    def as_of_day(self) -> int:
        return self.days - 1

    @property
    def as_of_date(self) -> date:
        return self.start_date + timedelta(days=self.days - 1)

    def date_of(self, day: int) -> date:
        return self.start_date + timedelta(days=int(day))

    def day_of(self, value: date) -> int:
        return (value - self.start_date).days

    @property
    def epoch_ms(self) -> int:
        return int(datetime(self.start_date.year, self.start_date.month, self.start_date.day, tzinfo=timezone.utc).timestamp() * 1000)

    # --- scalar formatting (hot paths of the renderers) -------------------------------------------------------
    def _day_str(self, day: int) -> str:
        try:
            return self._day_cache[day]
        except (AttributeError, KeyError):
            if "_day_cache" not in self.__dict__:
                object.__setattr__(self, "_day_cache", {})
            text = self._day_cache[day] = (self.start_date + timedelta(days=day)).isoformat()
            return text

    def fmt_date(self, day: int) -> str:
        return self._day_str(int(day))

    def fmt_utc_s(self, ms: int) -> str:
        """``2026-04-03T06:21:09Z``"""
        day, rest = divmod(int(ms), MS_PER_DAY)
        s = rest // 1000
        return f"{self._day_str(day)}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"

    def fmt_utc_ms(self, ms: int) -> str:
        """``2026-04-03T06:21:09.123Z``"""
        day, rest = divmod(int(ms), MS_PER_DAY)
        s, milli = divmod(rest, 1000)
        return f"{self._day_str(day)}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{milli:03d}Z"

    def fmt_offset_s(self, ms: int, offset_hours: int) -> str:
        """``2026-04-03T14:21:09+08:00``"""
        day, rest = divmod(int(ms) + offset_hours * 3_600_000, MS_PER_DAY)
        s = rest // 1000
        sign = "+" if offset_hours >= 0 else "-"
        return f"{self._day_str(day)}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{sign}{abs(offset_hours):02d}:00"

    # --- vectorised formatting -------------------------------------------------------------------------------------
    def _datetime64(self, instants_ms: np.ndarray) -> np.ndarray:
        base = np.datetime64(self.start_date.isoformat(), "ms")
        return base + np.asarray(instants_ms, dtype=np.int64).astype("timedelta64[ms]")

    def iso_ms_z(self, instants_ms) -> np.ndarray:
        """``2026-04-03T06:21:09.123Z``"""
        return np.char.add(np.datetime_as_string(self._datetime64(instants_ms), unit="ms"), "Z")

    def iso_s_z(self, instants_ms) -> np.ndarray:
        """``2026-04-03T06:21:09Z``"""
        return np.char.add(np.datetime_as_string(self._datetime64(instants_ms), unit="s"), "Z")

    def iso_s_offset(self, instants_ms, offset_hours: int) -> np.ndarray:
        """Local time with a fixed UTC offset: ``2026-04-03T14:21:09+08:00``."""
        shifted = np.asarray(instants_ms, dtype=np.int64) + offset_hours * 3_600_000
        sign = "+" if offset_hours >= 0 else "-"
        suffix = f"{sign}{abs(offset_hours):02d}:00"
        return np.char.add(np.datetime_as_string(self._datetime64(shifted), unit="s"), suffix)

    def iso_us_utc_offset(self, instants_ms) -> np.ndarray:
        """``2026-04-03T06:21:09.123000+00:00`` (Python isoformat style)."""
        return np.char.add(np.datetime_as_string(self._datetime64(instants_ms), unit="us"), "+00:00")

    def date_str(self, days) -> np.ndarray:
        base = np.datetime64(self.start_date.isoformat(), "D")
        return np.datetime_as_string(base + np.asarray(days, dtype=np.int64).astype("timedelta64[D]"), unit="D")

    def epoch_seconds(self, instants_ms) -> np.ndarray:
        return (self.epoch_ms + np.asarray(instants_ms, dtype=np.int64)) // 1000


@lru_cache(maxsize=None)
def utc_offset_hours(tz_name: str, day_date: date) -> float:
    """UTC offset of a timezone at noon UTC of a date (DST switches are resolved at day granularity)."""
    instant = datetime(day_date.year, day_date.month, day_date.day, 12, tzinfo=timezone.utc)
    return instant.astimezone(ZoneInfo(tz_name)).utcoffset().total_seconds() / 3600.0


def offsets_by_day(tz_name: str, cal: SimCalendar, n_days: int) -> np.ndarray:
    """Offset in milliseconds for each simulation day 0..n_days-1."""
    return np.array([utc_offset_hours(tz_name, cal.date_of(d)) * 3_600_000 for d in range(n_days)], dtype=np.int64)


def local_day(instants_ms: np.ndarray, offset_ms_by_day: np.ndarray) -> np.ndarray:
    """Account-local day index of UTC instants (offset looked up by the UTC day)."""
    inst = np.asarray(instants_ms, dtype=np.int64)
    utc_day = inst // MS_PER_DAY
    return (inst + offset_ms_by_day[np.clip(utc_day, 0, len(offset_ms_by_day) - 1)]) // MS_PER_DAY


def last_complete_local_day(as_of_day: int, tz_name: str, cal: SimCalendar) -> int:
    """Latest account-local date whose whole day has ended by the end of the UTC as_of day."""
    offset = utc_offset_hours(tz_name, cal.date_of(as_of_day))
    return as_of_day if offset >= 0 else as_of_day - 1
