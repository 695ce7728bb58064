"""One small market + warehouse per session, built through `orchestration.defs` in-process."""

import pytest

from orchestration.testing import SmallWarehouse, environment, small_warehouse


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> SmallWarehouse:
    return small_warehouse(tmp_path_factory)


@pytest.fixture
def built_env(built):
    """The session warehouse's environment (paths) for the duration of one test."""
    with environment(built.env()):
        yield built
