"""Fixtures every use-case test shares: a clock it can move and ids it can predict."""

import pytest

from tests.fakes import FakeClock, SequentialIds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ids() -> SequentialIds:
    return SequentialIds()
