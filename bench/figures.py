"""Figures the benchmarks print: a table for people and one JSON line for machines."""

import json
import math
import os
import platform
import statistics
from collections.abc import Sequence


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank: the smallest value with at least `percent` % of all values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def machine() -> str:
    """The machine and how busy it was: other work on the same cores moves every figure."""
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, load {load:.1f}, Python {platform.python_version()}"


def report(name: str, rows: list[dict], summary: dict) -> None:
    """Prints `rows` as an aligned table, `summary` as lines, then everything as one JSON line."""
    print()
    if rows:
        columns = list(rows[0])
        cells = [[_cell(row.get(column)) for column in columns] for row in rows]
        widths = [
            max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)
        ]
        print("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
        print("  ".join("-" * width for width in widths))
        for line in cells:
            print(
                "  ".join(
                    cell.rjust(width) if _numeric(cell) else cell.ljust(width)
                    for cell, width in zip(line, widths, strict=True)
                )
            )
        print()
    for key, value in summary.items():
        print(f"{key}: {_cell(value)}")
    print(json.dumps({"bench": name, "machine": machine(), **summary, "rows": rows}, default=str))


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)


def _numeric(cell: str) -> bool:
    return cell.replace(",", "").replace(".", "").replace("-", "").isdigit()
