"""`make bench`: every benchmark section as one table (section, metric, value, target)."""

import importlib
import sys

SECTIONS = ["host_tools.bench.plan", "host_tools.bench.onset", "host_tools.bench.cues",
            "host_tools.bench.heap"]


def main():
    """Run each section that exists and print the table."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title="interval beeper benchmarks")
    for col in ("section", "metric", "value", "target"):
        t.add_column(col)
    failed = False
    for name in SECTIONS:
        try:
            mod = importlib.import_module(name)
        except ImportError as e:
            t.add_row(name.rsplit(".", 1)[-1], "(section not available)", str(e), "")
            continue
        try:
            for row in mod.rows():
                t.add_row(*[str(x) for x in row])
        except Exception as e:  # noqa: BLE001 - one broken section must not hide the rest
            failed = True
            t.add_row(name.rsplit(".", 1)[-1], "ERROR", repr(e), "")
    Console(width=120).print(t)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
