"""Benchmarks of `relations`: start-up against tomlq, and big datasets against tomllib; prints ratios.

Run from a source checkout, in the environment where `relations` is installed:

    python benchmarks/bench.py            # everything: bundled vs tomlq, 10,000 and 100,000 records
    python benchmarks/bench.py --quick    # fewer repetitions, 10,000 records only

Every timing is the wall time of a fresh process (`subprocess`), repeated with the contenders
interleaved, and the median is kept. Children run with a private `XDG_CACHE_HOME` and may write
bytecode (a wheel install ships it compiled), whatever `PYTHONDONTWRITEBYTECODE` says here.
The tomlq comparison needs `tomlq` (PyPI package `yq`, a benchmark-only dependency) and `jq`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "data" / "pakistan-azerbaijan.toml"
BIN = Path(sys.executable).parent
QUERY = ["aid", "--year", "2010", "--format", "json"]
TOMLQ_FILTER = '[.aid[] | select(.date != null and (.date|startswith("2010")))]'
TABLES = ("events", "aid", "agreements")


# Runs a command and prints its peak resident memory in KiB. A small process of its own, because a
# child forked from this (larger) one would count the parent's pages in its peak too.
PEAK_RSS = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


@dataclass(frozen=True)
class Run:
    """One finished child process: wall time and exit code."""

    seconds: float
    code: int


def run(command: Sequence[str], env: dict[str, str]) -> Run:
    """Run a command to completion, output discarded, and time it."""
    start = time.perf_counter()
    code = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return Run(time.perf_counter() - start, code.returncode)


def peak_mb(command: Sequence[str], env: dict[str, str]) -> float:
    """The peak resident memory of a command, in MiB."""
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, *command], env=env, capture_output=True, text=True)
    return int(done.stdout.strip() or 0) / 1024


def child_env(cache: Path, **extra: str) -> dict[str, str]:
    """The environment of every child: a private cache, bytecode allowed, no dataset override."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "RELATIONS_DATA")}
    env["XDG_CACHE_HOME"] = str(cache)
    env.update(extra)
    return env


def median_times(contenders: dict[str, Callable[[], Run]], repeat: int) -> dict[str, list[Run]]:
    """Run each contender `repeat` times, interleaved, and collect the runs."""
    runs: dict[str, list[Run]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, contender in contenders.items():
            result = contender()
            if result.code != 0:
                raise SystemExit(f"{name} exited {result.code}")
            runs[name].append(result)
    return runs


def median(runs: list[Run]) -> float:
    """The median wall time of some runs."""
    return statistics.median(r.seconds for r in runs)


def verdict(ratio: float, target: float) -> str:
    """`ok` or `OVER` against a target ratio."""
    return "ok" if ratio <= target else "OVER"


def toml_value(value: Any) -> str:
    """A value as TOML (strings, integers, arrays and inline tables: what the dataset uses)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def big_dataset(records: int, directory: Path) -> Path:
    """Write a dataset of `records` records: the bundled ones repeated under new ids, sources and actors kept."""
    bundled = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    lines = ["[meta]", *(f"{k} = {toml_value(v)}" for k, v in bundled.get("meta", {}).items())]
    for source in bundled["sources"]:
        lines += ["", "[[sources]]", *(f"{k} = {toml_value(v)}" for k, v in source.items())]
    for actor in bundled.get("actors", []):
        lines += ["", "[[actors]]", *(f"{k} = {toml_value(v)}" for k, v in actor.items())]
    originals = [(table, record) for table in TABLES for record in bundled.get(table, [])]
    written = 0
    copy = 0
    while written < records:
        for table, record in originals[: records - written]:
            lines += ["", f"[[{table}]]"]
            for key, value in record.items():
                shown = f"{value}-copy-{copy}" if key == "id" and copy else value
                lines.append(f"{key} = {toml_value(shown)}")
            written += 1
        copy += 1
    path = directory / f"big-{records}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    old = time.time() - 60  # older than the cache's "just edited" window, as a user's file would be
    os.utime(path, (old, old))
    return path


def section_startup(work: Path, repeat: int) -> None:
    """Bundled dataset: a JSON query and a table against the same selection done by tomlq."""
    print("== start-up: bundled dataset, against tomlq ==")
    tomlq = shutil.which("tomlq", path=str(BIN)) or shutil.which("tomlq")
    if tomlq is None or shutil.which("jq") is None:
        print("tomlq or jq not found: `pip install yq` (and install jq) for this section\n")
        return
    relations = str(BIN / "relations")
    env = child_env(work / "cache")
    table_env = child_env(work / "cache", COLUMNS="100")
    json_out = subprocess.run([relations, *QUERY], env=env, capture_output=True, text=True, check=True).stdout
    tomlq_out = subprocess.run([tomlq, TOMLQ_FILTER, str(BUNDLED)], env=env, capture_output=True, text=True).stdout
    same = sorted(r["id"] for r in json.loads(json_out)) == sorted(r["id"] for r in json.loads(tomlq_out))
    print(f"same records from both: {'yes' if same else 'NO'}")
    contenders: dict[str, Callable[[], Run]] = {
        "relations aid --year 2010 --format json": lambda: run([relations, *QUERY], env),
        "relations aid --year 2010 -f table (COLUMNS=100)": lambda: run(
            [relations, "aid", "--year", "2010", "-f", "table"], table_env
        ),
        "tomlq (same selection)": lambda: run([tomlq, TOMLQ_FILTER, str(BUNDLED)], env),
        "python -c pass (interpreter start)": lambda: run([sys.executable, "-c", "pass"], env),
    }
    for contender in contenders.values():  # warm up: bytecode, cache
        contender()
    runs = median_times(contenders, repeat)
    times = {name: median(r) for name, r in runs.items()}
    base = times["tomlq (same selection)"]
    print(f"{'command':52} {'median':>9} {'vs tomlq':>9}  target")
    for name, seconds in times.items():
        print(f"{name:52} {seconds * 1000:7.1f}ms {seconds / base:8.2f}x", end="")
        if name.endswith("--format json"):
            print(f"  <= 1.0 {verdict(seconds / base, 1.0)}")
        elif "table" in name:
            print(f"  <= 1.3 {verdict(seconds / base, 1.3)}")
        else:
            print()
    print()


def section_big(work: Path, size: int, repeat: int) -> None:
    """A user dataset of many records: the first query against tomllib, a repeated one against the bundled."""
    relations = str(BIN / "relations")
    parse = [sys.executable, "-c", "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))"]
    print(f"== big dataset: {size:,} records ==")
    path = big_dataset(size, work)
    cache = work / f"cache-{size}"
    env = child_env(cache)
    bundled_env = child_env(work / "cache-bundled")
    print(f"file: {path.stat().st_size / 1e6:.1f} MB")
    check = subprocess.run([relations, "--data", str(path), "validate"], env=env, capture_output=True, text=True)
    print(f"validate: {check.stdout.strip() or check.stderr.strip()}")
    one = f"{tomllib.loads(BUNDLED.read_text(encoding='utf-8'))['aid'][0]['id']}-copy-1"
    shutil.rmtree(cache, ignore_errors=True)

    def first() -> Run:
        """A query with no cache yet (it parses, validates and writes the cache)."""
        shutil.rmtree(cache, ignore_errors=True)
        return run([relations, "--data", str(path), *QUERY], env)

    contenders: dict[str, Callable[[], Run]] = {
        "tomllib.load alone": lambda: run([*parse, str(path)], env),
        "first query (no cache)": first,
        "repeated query (cache)": lambda: run([relations, "--data", str(path), *QUERY], env),
        "same query on the bundled dataset": lambda: run([relations, *QUERY], bundled_env),
        "show one record (cache)": lambda: run([relations, "--data", str(path), "show", one, "-f", "json"], env),
        "search (cache, every record decoded)": lambda: run(
            [relations, "--data", str(path), "search", "flood", "--format", "json"], env
        ),
    }
    run([relations, *QUERY], bundled_env)  # cache the bundled dataset
    runs = median_times(contenders, repeat)
    times = {name: median(r) for name, r in runs.items()}
    shutil.rmtree(cache, ignore_errors=True)
    peak = {
        "tomllib.load alone": peak_mb([*parse, str(path)], env),
        "first query (no cache)": peak_mb([relations, "--data", str(path), *QUERY], env),
        "repeated query (cache)": peak_mb([relations, "--data", str(path), *QUERY], env),
        "search (cache, every record decoded)": peak_mb(
            [relations, "--data", str(path), "search", "flood", "--format", "json"], env
        ),
    }
    print(f"{'command':40} {'median':>9} {'peak RSS':>10}")
    for name, seconds in times.items():
        memory = f"{peak[name]:8.1f}MB" if name in peak else ""
        print(f"{name:40} {seconds:8.3f}s {memory:>10}")
    first_ratio = times["first query (no cache)"] / times["tomllib.load alone"]
    repeat_ratio = times["repeated query (cache)"] / times["same query on the bundled dataset"]
    print(f"first query / tomllib alone:        {first_ratio:5.2f}x  target <= 1.3 {verdict(first_ratio, 1.3)}")
    print(f"repeated query / bundled query:     {repeat_ratio:5.2f}x  target <= 5   {verdict(repeat_ratio, 5.0)}")
    cache_files = list((cache / "relations").glob("*.json"))
    print(f"cache file: {sum(f.stat().st_size for f in cache_files) / 1e6:.1f} MB\n")
    path.unlink()


def section_imports(work: Path) -> None:
    """Where start-up time goes: the slowest imports of the JSON query (`python -X importtime`)."""
    print("== start-up: slowest imports (python -X importtime -m relations_cli aid --year 2010 --format json) ==")
    env = child_env(work / "cache")
    command = [sys.executable, "-X", "importtime", "-m", "relations_cli", *QUERY]
    subprocess.run(command, env=env, capture_output=True, check=False)  # bytecode first
    stderr = subprocess.run(command, env=env, capture_output=True, text=True, check=False).stderr
    rows: list[tuple[int, int, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        own_us, total_us, module = line.removeprefix("import time:").split("|")
        rows.append((int(total_us), int(own_us), module.rstrip()))
    print(f"all imports: {sum(r[1] for r in rows) / 1000:.1f} ms; slowest by own time (own, cumulative):")
    for total, own, name in sorted(rows, key=lambda r: r[1], reverse=True)[:15]:
        depth = (len(name) - len(name.lstrip())) // 2
        print(f"  {own / 1000:6.1f} ms {total / 1000:6.1f} ms  {name.strip()}  (depth {depth})")
    print("biggest subtrees (cumulative):")
    for total, _, name in sorted(rows, reverse=True)[:12]:
        print(f"  {total / 1000:6.1f} ms  {name.strip()}")
    print()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sections asked for and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 10,000 records only")
    parser.add_argument("--sizes", default=None, help="comma-separated record counts (default 10000,100000)")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions of each timing")
    parser.add_argument("--skip", default="", help="comma-separated sections to skip: startup,big,imports")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([10_000] if args.quick else [10_000, 100_000])
    skip = set(args.skip.split(","))
    print(f"python {sys.version.split()[0]}, relations at {BIN / 'relations'}, {os.cpu_count()} cpus\n")
    with tempfile.TemporaryDirectory(prefix="relations-bench-") as scratch:
        work = Path(scratch)
        if "startup" not in skip:
            section_startup(work, args.repeat or (7 if args.quick else 21))
        if "imports" not in skip:
            section_imports(work)
        if "big" not in skip:
            for size in sizes:
                section_big(work, size, args.repeat or (3 if args.quick or size > 50_000 else 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
