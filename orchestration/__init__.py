"""Dagster orchestration of the warehouse: one `Definitions` for `make run`, `make ui` and tests.

`dagster dev -m orchestration` (or `[tool.dagster] module_name` in pyproject.toml) loads `defs`.
"""

from orchestration.definitions import defs

__all__ = ["defs"]
