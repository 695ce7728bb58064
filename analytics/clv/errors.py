"""The one error type every analytics function raises for unusable input, and the checks that raise it.

`InsufficientDataError` is a `ValueError` so callers that already catch
`ValueError` keep working; Dagster assets catch it to write an empty table
with the message as a note instead of failing the run.

It lives here (not in `analytics/__init__.py`) only because this round each
package owner edits their own folder; every analytics package re-exports it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


class InsufficientDataError(ValueError):
    """Input is empty, too small, or missing columns for the requested computation.

    The message always says what was needed and what was found.
    """


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise `InsufficientDataError` naming the missing columns of `df`."""
    if df is None:
        raise InsufficientDataError(f"{what}: got None instead of a DataFrame")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InsufficientDataError(
            f"{what}: missing column(s) {missing}; columns present: {list(df.columns)}"
        )


def require_rows(n: int, minimum: int, what: str, unit: str = "rows") -> None:
    """Raise `InsufficientDataError` when fewer than `minimum` units are available."""
    if n < minimum:
        raise InsufficientDataError(f"{what}: needs at least {minimum} {unit}, got {n}")
