"""Benchmarks of `relations`: start-up against tomlq and a bare sqlite3 floor, big datasets against tomllib.

Run from a source checkout, in the environment where `relations` is installed (or not: the checkout
is then run through a console-script stand-in with PYTHONPATH set to it):

    python benchmarks/bench.py            # everything: bundled vs tomlq and the floor, 10,000 and 100,000 records
    python benchmarks/bench.py --quick    # fewer repetitions, 10,000 records only

Every timing is the wall time of a fresh process (`subprocess`), repeated with the contenders
interleaved, and the median is kept; every ratio is of two medians of the same run. Children run
with a private `XDG_CACHE_HOME` and may write bytecode (a wheel install ships it compiled), whatever
`PYTHONDONTWRITEBYTECODE` says here. The tomlq comparison needs `tomlq` (PyPI package `yq`, a
benchmark-only dependency) and `jq`.
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
sys.path.insert(0, str(REPO))
BUNDLED = REPO / "data" / "pakistan-azerbaijan.toml"
BIN = Path(sys.executable).parent
QUERY = ["aid", "--year", "2010", "--format", "json"]
YEAR_QUERY = ["events", "--year", "2015", "--format", "json"]
# What an installed console script runs; used when `relations` is not installed next to this Python.
SCRIPT = "import sys\nfrom relations_cli.entry import main\nsys.exit(main())\n"
# The floor: the same rows read from the store with bare sqlite3 and printed as JSON, nothing else.
FLOOR = (
    "import json, sqlite3, sys\n"
    "where, params = json.loads(sys.argv[2])\n"
    "connection = sqlite3.connect(f'file:{sys.argv[1]}?mode=ro&immutable=1', uri=True)\n"
    "rows = connection.execute('SELECT payload FROM store_records WHERE ' + where + ' ORDER BY rid', params)\n"
    "sys.stdout.write(json.dumps([json.loads(p) for (p,) in rows], ensure_ascii=False, indent=2) + '\\n')\n"
)
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
    if not (BIN / "relations").exists():
        env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def relations_command(work: Path) -> list[str]:
    """How to run `relations`: the installed console script, else a stand-in for it over this checkout."""
    installed = BIN / "relations"
    if installed.exists():
        return [str(installed)]
    script = work / "relations-script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    return [sys.executable, str(script)]


def store_file(cache: Path, command: Sequence[str] | None = None, env: dict[str, str] | None = None) -> Path:
    """The one store in a cache directory, once the detached child that builds it has written it.

    With `command`, it is run again every few seconds while there is no store: a dataset file
    modified in the last two seconds (a package just installed) is never stored, so a later run must ask.
    """
    deadline = time.perf_counter() + 300
    asked = time.perf_counter()
    while True:
        found = list((cache / "relations").glob("*.sqlite3"))
        if len(found) == 1 or time.perf_counter() > deadline:
            [store] = found
            return store
        if command is not None and time.perf_counter() - asked > 3:
            run(command, env or {})
            asked = time.perf_counter()
        time.sleep(0.02)


def settle() -> None:
    """Write dirty pages to disk (where the system can), so that a big file just written slows no timed run."""
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


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


def shift_years(text: str, years: int) -> str:
    """A date string moved `years` back (a 29 February where there is none becomes the 28th); open ends closed."""
    import calendar
    import re

    def back(match: re.Match[str]) -> str:
        """One point moved."""
        year = int(match.group(1)) - years
        rest = match.group(2) or ""
        if rest == "-02-29" and not calendar.isleap(year):
            rest = "-02-28"
        return f"{year:04d}{rest}"

    left = text.removesuffix("/..")  # an open end would stretch a moved record up to its sources' date
    return re.sub(r"(\d{4})(-\d{2}(?:-\d{2})?)?", back, left)


def spread(record: dict[str, Any], copy: int) -> dict[str, Any]:
    """A copy of a record with its dates (and disputed date readings) moved back by `copy` years."""
    moved = dict(record)
    if copy == 0:
        return moved
    if "date" in moved:
        moved["date"] = shift_years(moved["date"], copy)
    disputes = []
    for dispute in moved.get("disputes", []):
        if dispute.get("field") == "date":
            readings = [{**r, "value": shift_years(r["value"], copy)} for r in dispute["readings"]]
            dispute = {**dispute, "readings": readings}
        disputes.append(dispute)
    if disputes:
        moved["disputes"] = disputes
    return moved


def big_dataset(records: int, directory: Path) -> Path:
    """Write a dataset of `records` records: the bundled ones repeated under new ids, sources and actors kept.

    Copy N of a record is dated N years earlier, so dates spread over centuries and a year matches
    about as many records as in the bundled data.
    """
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
            for key, value in spread(record, copy).items():
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
    """Bundled dataset: a JSON query and a table against tomlq doing the same selection, and against the floor."""
    print("== start-up: bundled dataset, against tomlq and a bare sqlite3 floor ==")
    tomlq = shutil.which("tomlq", path=str(BIN)) or shutil.which("tomlq")
    if tomlq is None or shutil.which("jq") is None:
        print("tomlq or jq not found: `pip install yq` (and install jq) for this section\n")
        return
    from relations_cli.query import Query
    from relations_cli.store import conditions

    relations = relations_command(work)
    cache = work / "cache"
    env = child_env(cache)
    table_env = child_env(cache, COLUMNS="100")
    json_out = subprocess.run([*relations, *QUERY], env=env, capture_output=True, text=True, check=True).stdout
    tomlq_out = subprocess.run([tomlq, TOMLQ_FILTER, str(BUNDLED)], env=env, capture_output=True, text=True).stdout
    same = sorted(r["id"] for r in json.loads(json_out)) == sorted(r["id"] for r in json.loads(tomlq_out))
    print(f"same records from both: {'yes' if same else 'NO'}")
    stored = store_file(cache, [*relations, *QUERY], env)
    floor_args = [str(stored), json.dumps(conditions(Query(kinds=("aid",), years=(2010,))))]
    floor_out = subprocess.run([sys.executable, "-c", FLOOR, *floor_args], env=env, capture_output=True, text=True)
    same = len(json.loads(floor_out.stdout)) == len(json.loads(json_out))
    print(f"floor reads the same rows: {'yes' if same else 'NO'}")
    names = {
        "json": "relations aid --year 2010 --format json",
        "table": "relations aid --year 2010 -f table (COLUMNS=100)",
        "tomlq": "tomlq (same selection)",
        "floor": "floor: python + sqlite3 + json, same rows",
        "python": "python -c pass (interpreter start)",
    }
    contenders: dict[str, Callable[[], Run]] = {
        names["json"]: lambda: run([*relations, *QUERY], env),
        names["table"]: lambda: run([*relations, "aid", "--year", "2010", "-f", "table"], table_env),
        names["tomlq"]: lambda: run([tomlq, TOMLQ_FILTER, str(BUNDLED)], env),
        names["floor"]: lambda: run([sys.executable, "-c", FLOOR, *floor_args], env),
        names["python"]: lambda: run([sys.executable, "-c", "pass"], env),
    }
    for contender in contenders.values():  # warm up: bytecode, store
        contender()
    runs = median_times(contenders, repeat)
    times = {name: median(r) for name, r in runs.items()}
    base, floor = times[names["tomlq"]], times[names["floor"]]
    print(f"{'command':52} {'median':>9} {'vs tomlq':>9} {'vs floor':>9}")
    for name, seconds in times.items():
        print(f"{name:52} {seconds * 1000:7.1f}ms {seconds / base:8.2f}x {seconds / floor:8.2f}x")
    json_tomlq = times[names["json"]] / base
    json_floor = times[names["json"]] / floor
    table_tomlq = times[names["table"]] / base
    print(f"JSON query / tomlq:   {json_tomlq:5.2f}x  target <= 1.0  {verdict(json_tomlq, 1.0)}")
    print(f"JSON query / floor:   {json_floor:5.2f}x  target <= 2.5  {verdict(json_floor, 2.5)}")
    print(f"table / tomlq:        {table_tomlq:5.2f}x  target <= 1.3  {verdict(table_tomlq, 1.3)}")
    print()


def section_big(work: Path, size: int, repeat: int) -> None:
    """A user dataset of many records: the first query against tomllib, repeated ones against the bundled data."""
    relations = relations_command(work)
    parse = [sys.executable, "-c", "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))"]
    print(f"== big dataset: {size:,} records, dates spread over centuries ==")
    path = big_dataset(size, work)
    cache = work / f"cache-{size}"
    env = child_env(cache)
    bundled_env = child_env(work / "cache-bundled")
    print(f"file: {path.stat().st_size / 1e6:.1f} MB")
    check = subprocess.run([*relations, "--data", str(path), "validate"], env=env, capture_output=True, text=True)
    print(f"validate: {check.stdout.strip() or check.stderr.strip()}")
    one = f"{tomllib.loads(BUNDLED.read_text(encoding='utf-8'))['aid'][0]['id']}-copy-1"
    copies = size // sum(len(v) for k, v in tomllib.loads(BUNDLED.read_text(encoding="utf-8")).items() if k in TABLES)
    rare = ["search", f"copy-{copies // 2}", "--format", "json"]  # the records of one copy
    common = ["search", "flood", "--format", "json"]
    show = ["show", one, "-f", "json"]
    bundled_show = ["show", one.removesuffix("-copy-1"), "-f", "json"]
    big = ["--data", str(path)]
    shutil.rmtree(cache, ignore_errors=True)

    ready: list[float] = []

    def first() -> Run:
        """A query with no store yet (it parses and validates; a detached child then writes the store).

        Waits, untimed, until the store is there and written to disk, so that neither the build nor the
        writing back of its hundreds of MB competes with the next run.
        """
        shutil.rmtree(cache, ignore_errors=True)
        settle()
        start = time.perf_counter()
        answered = run([*relations, *big, *QUERY], env)
        while not list((cache / "relations").glob("*.sqlite3")) and time.perf_counter() - start < 600:
            time.sleep(0.01)
        ready.append(time.perf_counter() - start)
        settle()
        return answered

    def rows(args: list[str], environment: dict[str, str]) -> int:
        """How many records a command prints."""
        out = subprocess.run([*relations, *args], env=environment, capture_output=True, text=True).stdout
        value = json.loads(out)
        return len(value) if isinstance(value, list) else 1

    contenders: dict[str, Callable[[], Run]] = {
        "tomllib.load alone": lambda: run([*parse, str(path)], env),
        "first query (no store)": first,
        "events --year 2015 (store)": lambda: run([*relations, *big, *YEAR_QUERY], env),
        "events --year 2015, bundled": lambda: run([*relations, *YEAR_QUERY], bundled_env),
        "search copy-N (store)": lambda: run([*relations, *big, *rare], env),
        "search flood (store)": lambda: run([*relations, *big, *common], env),
        "search flood, bundled": lambda: run([*relations, *common], bundled_env),
        "show ID (store)": lambda: run([*relations, *big, *show], env),
        "show ID, bundled": lambda: run([*relations, *bundled_show], bundled_env),
    }
    store_file(work / "cache-bundled", [*relations, *QUERY], bundled_env)  # the bundled dataset, stored
    # The two slow contenders (seconds each) interleaved `repeat` times; the quick ones, which a busy
    # moment of the machine moves by a larger share, interleaved three times as often.
    slow = {name: contenders.pop(name) for name in ("tomllib.load alone", "first query (no store)")}
    runs = {**median_times(slow, repeat), **median_times(contenders, 3 * repeat)}
    times = {name: median(r) for name, r in runs.items()}
    counts = {
        "events --year 2015 (store)": rows([*big, *YEAR_QUERY], env),
        "events --year 2015, bundled": rows(YEAR_QUERY, bundled_env),
        "search copy-N (store)": rows([*big, *rare], env),
        "search flood (store)": rows([*big, *common], env),
        "search flood, bundled": rows(common, bundled_env),
    }
    store_size = store_file(cache).stat().st_size / 1e6
    peak = {
        "events --year 2015 (store)": peak_mb([*relations, *big, *YEAR_QUERY], env),
        "search copy-N (store)": peak_mb([*relations, *big, *rare], env),
        "search flood (store)": peak_mb([*relations, *big, *common], env),
        "show ID (store)": peak_mb([*relations, *big, *show], env),
        "tomllib.load alone": peak_mb([*parse, str(path)], env),
    }
    shutil.rmtree(cache, ignore_errors=True)
    peak["first query (no store)"] = peak_mb([*relations, *big, *QUERY], env)
    time.sleep(0.5)
    while list(cache.glob("relations/.*.tmp")):  # the background build of that run
        time.sleep(0.05)
    print(f"{'command':34} {'median':>9} {'rows':>6} {'peak RSS':>10}")
    for name, seconds in times.items():
        memory = f"{peak[name]:8.1f}MB" if name in peak else ""
        count = str(counts.get(name, ""))
        print(f"{name:34} {seconds:8.3f}s {count:>6} {memory:>10}")
    bundled_query = times["events --year 2015, bundled"]
    ratios = [
        ("first query / tomllib alone", times["first query (no store)"] / times["tomllib.load alone"], 1.3),
        ("events --year / bundled", times["events --year 2015 (store)"] / bundled_query, 2.0),
        ("search copy-N / bundled query", times["search copy-N (store)"] / bundled_query, 3.0),
        ("search flood / bundled query", times["search flood (store)"] / bundled_query, 3.0),
        ("search flood / same on bundled", times["search flood (store)"] / times["search flood, bundled"], 3.0),
        ("show ID / bundled query", times["show ID (store)"] / bundled_query, 3.0),
        ("show ID / same on bundled", times["show ID (store)"] / times["show ID, bundled"], 3.0),
    ]
    for label, ratio, target in ratios:
        print(f"{label:36} {ratio:6.2f}x  target <= {target:<4} {verdict(ratio, target)}")
    print(f"store ready (built after the first answer, in the background): {statistics.median(ready):.3f}s")
    repeated = peak["events --year 2015 (store)"]
    print(f"{'peak memory, repeated query':36} {repeated:6.1f}MB target <= 60   {verdict(repeated, 60.0)}")
    print(f"store file: {store_size:.1f} MB\n")
    path.unlink()


def section_imports(work: Path) -> None:
    """Where start-up time goes: the slowest imports of the JSON query (`python -X importtime`)."""
    print("== start-up: slowest imports (python -X importtime -m relations_cli aid --year 2010 --format json) ==")
    env = child_env(work / "cache")
    command = [sys.executable, "-X", "importtime", *relations_command(work)[-1:], *QUERY]
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
    with tempfile.TemporaryDirectory() as scratch:
        shown = " ".join(relations_command(Path(scratch)))
    print(f"python {sys.version.split()[0]}, relations: {shown}, {os.cpu_count()} cpus\n")
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
