"""Hypothesis settings for the fuzz tests: a modest number of examples by default (CI), as many as
FUZZ_EXAMPLES says on request:

    FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/fuzz -p no:cacheprovider
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = os.environ.get("FUZZ_EXAMPLES")

settings.register_profile(
    "shop-fuzz",
    # A few dozen examples per test keep the fuzz tests within a minute or so in CI.
    max_examples=int(EXAMPLES or 100),
    # Time per example varies (bodies of several MB, a real HTTP call to the Stripe stand-in),
    # and the pytest-django fixtures are function-scoped on purpose: all examples of a test share
    # one database transaction, which is what lets each example compare the state before and after.
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
    # Long runs keep their failing examples (under var/, not in git) and replay them first.
    database=DirectoryBasedExampleDatabase(
        str(Path(os.environ.get("VAR_DIR", ROOT / "var")) / "hypothesis")
    ) if EXAMPLES else None,
)  # fmt: skip
settings.load_profile("shop-fuzz")


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """The fuzz tests send hundreds of forms from one client; the limits have tests of their own
    (tests/security/test_03_*)."""
    settings.RATE_LIMITS = {name: "1000000/1d" for name in settings.RATE_LIMITS}
