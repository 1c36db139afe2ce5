"""The chaos run of bench/chaos.py at a size CI affords: 30 orders, about 100 webhook requests,
a 15-second SMTP outage with the worker SIGKILLed while it renders. Full size:
`.venv/bin/python -m bench.chaos` (see README, Performance)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import stack

ROOT = Path(__file__).resolve().parents[2]
CI_SIZE = ["--orders", "30", "--events", "100", "--outage", "15"]

pytestmark = pytest.mark.skipif(
    bool(stack.services_missing()),
    reason=f"the chaos run needs {' and '.join(stack.services_missing())}",
)


def test_shop_keeps_its_promises_through_duplicates_forgeries_a_killed_worker_and_an_smtp_outage():
    run = subprocess.run(
        [sys.executable, "-m", "bench.chaos", *CI_SIZE],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(run.stdout[-6000:], run.stderr[-6000:], sep="\n")
    result = json.loads(run.stdout.strip().splitlines()[-1])

    failed = [row for row in result["rows"] if not row["ok"]]
    assert failed == [] and result["settled"], failed
    assert result["worker_killed"]["rendering"], result["worker_killed"]
    assert result["bad_signatures"] and result["sepa_async_before_completed"] > 0
    assert result["server_errors"] == 0
    assert run.returncode == 0
