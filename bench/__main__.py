"""Run every benchmark module in bench/ (each has ``main() -> None``), or those named."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def run(names: list[str]) -> int:
    modules = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    chosen = [m for m in modules if not names or m in names]
    if not chosen:
        print(f"no benchmark named {names}; have: {', '.join(modules)}")
        return 2
    for name in chosen:
        mod = importlib.import_module(f"bench.{name}")
        if not hasattr(mod, "main"):
            continue
        print(f"\n=== bench.{name} ===", flush=True)
        t0 = time.perf_counter()
        mod.main()
        print(f"(bench.{name}: {time.perf_counter() - t0:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
