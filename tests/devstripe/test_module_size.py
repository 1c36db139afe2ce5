"""devstripe stays split by Stripe resource: no module grows past what one reads in a sitting."""

from pathlib import Path

import devstripe

MAX_LINES = 400


def test_no_devstripe_module_is_over_400_lines() -> None:
    package = Path(devstripe.__file__).parent
    lines = {
        module.name: len(module.read_text(encoding="utf-8").splitlines())
        for module in package.glob("*.py")
    }

    assert "server.py" in lines
    assert {name: count for name, count in lines.items() if count > MAX_LINES} == {}
