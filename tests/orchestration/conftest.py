"""The session's small warehouse built through `orchestration.defs` in-process (tests/conftest.py)."""

import pytest

from orchestration.testing import SmallWarehouse, environment


@pytest.fixture(scope="session")
def built(small_dagster_build) -> SmallWarehouse:
    return small_dagster_build


@pytest.fixture
def built_env(built):
    """The session warehouse's environment (paths) for the duration of one test."""
    with environment(built.env()):
        yield built
