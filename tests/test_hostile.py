"""Hostile input: malformed datasets, random bytes, text that attacks the terminal, odd environments.

Whatever the file or the environment, the tool ends cleanly: exit 0, 1 (bad dataset) or 2 (usage),
nothing on stdout when it fails, every problem on stderr with file and place, never a traceback,
and text from the file never reaches the terminal as markup or raw control characters.
"""

from __future__ import annotations

import copy
import io
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relations_cli import entry
from relations_cli.cli import app as cli
from relations_cli.dataset import DatasetError, load
from tests.conftest import SMALL

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BAD = Path(__file__).parent / "bad"
BAD_FILES = sorted(p for p in BAD.iterdir() if p.suffix == ".toml")
# Files that cannot carry their own `# expect:` line.
EXPECTED_ELSEWHERE = {"empty.toml": [("", "no [[sources]] defined: every record must cite a source")]}
# Every command that reads the dataset, with the arguments it needs to get that far.
DATA_COMMANDS: dict[str, list[str]] = {
    "validate": [],
    "sources": [],
    "actors": [],
    "events": [],
    "aid": [],
    "agreements": [],
    "search": ["flood"],
    "show": ["ties"],
    "timeline": [],
    "summary": [],
    "categories": [],
    "cite": [],
    "export": ["{tmp}/export.json"],
}
LISTING = ("events", "aid", "agreements", "search")
# Control characters other than the tab and newline that output formats use as structure,
# C1 controls, DEL and the bidi overrides: none may reach the terminal raw.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MainFunction = Callable[[Sequence[str]], int]


def invoke(main: MainFunction, argv: Sequence[str]) -> tuple[int, str, str]:
    """Run a `main` in-process; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def expectations(path: Path) -> list[tuple[str, str]]:
    """The (where, message fragment) pairs a corpus file promises in its `# expect: WHERE :: MESSAGE` lines."""
    if path.name in EXPECTED_ELSEWHERE:
        return EXPECTED_ELSEWHERE[path.name]
    found = []
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        if line.startswith("# expect:"):
            where, _, message = line.removeprefix("# expect:").partition("::")
            found.append((where.strip(), message.strip()))
    assert found, f"{path.name} promises no problem"
    return found


def assert_reports(stderr: str, name: str, promised: list[tuple[str, str]]) -> None:
    """Stderr lists exactly the promised problems, each with file and place, then a one-line summary."""
    lines = stderr.splitlines()
    count = len(promised)
    assert lines[-1] == f"relations: error: {count} problem{'s' if count != 1 else ''} in {name}"
    assert_problems(lines[:-1], name, promised)


def assert_problems(problems: list[str], name: str, promised: list[tuple[str, str]]) -> None:
    """The problem lines are exactly the promised ones: `file: where: message`, in any order."""
    problems = list(problems)
    assert len(problems) == len(promised), "\n".join(problems)
    for where, message in promised:
        prefix = f"{name}: {where}: " if where else f"{name}: "
        hits = [p for p in problems if p.startswith(prefix) and message in p[len(prefix) :]]
        assert hits, f"no '{prefix}...{message}' in:\n" + "\n".join(problems)
        problems.remove(hits[0])


def argv_for(command: str, data: Path, tmp: Path) -> list[str]:
    """The command line that runs `command` on the dataset `data` (export writes into `tmp`, afresh)."""
    (tmp / "export.json").unlink(missing_ok=True)
    extra = [arg.format(tmp=tmp) for arg in DATA_COMMANDS[command]]
    if command == "validate":
        return ["validate", str(data)]
    return ["--data", str(data), command, *extra]


def test_every_data_command_is_covered() -> None:
    """Each command of the app is in the hostile-input matrix (a new command must join it)."""
    commands = set(getattr(typer.main.get_command(cli.app), "commands", {}))
    assert commands, "the app has no commands?"
    assert commands <= set(DATA_COMMANDS), f"add to DATA_COMMANDS: {sorted(commands - set(DATA_COMMANDS))}"


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_corpus_file_reports_every_problem(path: Path) -> None:
    """Loading a corpus file raises DatasetError with exactly the problems the file promises."""
    with pytest.raises(DatasetError) as caught:
        load(path)
    assert_problems([str(p) for p in caught.value.problems], str(path), expectations(path))


@pytest.mark.parametrize("command", sorted(DATA_COMMANDS))
@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_every_command_fails_cleanly_on_a_bad_file(path: Path, command: str, tmp_path: Path) -> None:
    """Exit 1, nothing on stdout, every problem on stderr (escaped), and no file written by export."""
    code, out, err = invoke(entry.main, argv_for(command, path, tmp_path))
    assert (code, out) == (1, "")
    assert_reports(err, str(path), expectations(path))
    assert RAW_CONTROL.search(err) is None
    assert not (tmp_path / "export.json").exists()


@pytest.mark.parametrize("command", LISTING)
@pytest.mark.parametrize("path", BAD_FILES[:6], ids=lambda p: p.stem)
def test_full_app_fails_cleanly_too(path: Path, command: str, tmp_path: Path) -> None:
    """The Typer app (which the quick entry path hands anything unusual to) behaves the same."""
    code, out, err = invoke(cli.main, argv_for(command, path, tmp_path))
    assert (code, out) == (1, "")
    assert_reports(err, str(path), expectations(path))


@pytest.mark.parametrize("command", sorted(DATA_COMMANDS))
def test_missing_file(command: str, tmp_path: Path) -> None:
    """A path that does not exist: exit 1 (or 2 for a usage error), saying which path."""
    missing = tmp_path / "nowhere.toml"
    code, out, err = invoke(entry.main, argv_for(command, missing, tmp_path))
    assert code in (1, 2) and out == ""
    assert str(missing) in err and "Traceback" not in err


@pytest.mark.parametrize("command", sorted(DATA_COMMANDS))
def test_directory_instead_of_file(command: str, tmp_path: Path) -> None:
    """A directory given as the dataset: exit 1 saying it is a directory."""
    folder = tmp_path / "data.toml"
    folder.mkdir()
    code, out, err = invoke(entry.main, argv_for(command, folder, tmp_path))
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == f"{folder}: is a directory, not a TOML file"


def test_file_name_with_control_characters_is_escaped(tmp_path: Path) -> None:
    """A dataset path holding an escape sequence is shown escaped, in the problems and in the summary."""
    path = tmp_path / "evil\x1b[31m.toml"
    code, out, err = invoke(entry.main, ["--data", str(path), "events"])
    assert (code, out) == (1, "")
    assert "evil\\x1b[31m.toml: no such file" in err
    assert RAW_CONTROL.search(err) is None, repr(err)


@pytest.mark.parametrize("name", ["syntax-duplicate-key.toml", "not-utf8.toml", "amounts.toml"])
def test_real_process_fails_cleanly(name: str) -> None:
    """`python -m relations_cli` on a bad file: exit 1, stdout empty, problems on stderr, no traceback."""
    path = BAD / name
    done = subprocess.run(
        [sys.executable, "-m", "relations_cli", "--data", str(path), "events"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert_reports(done.stderr, str(path), expectations(path))


# --- Hypothesis: random bytes and random well-formed but wrong TOML --------------------------------

BASE: dict[str, Any] = tomllib.loads(SMALL.read_text(encoding="utf-8"))
PLAUSIBLE = ["alpha", "beta", "flood-2010", "visit", "USD", "XYZ", "2010", "2015-02-30", "1993/1992", "../..", "", " "]


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def toml_value(value: Any) -> str:
    """Any TOML value, inline: arrays and tables on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "isoformat"):  # datetime.time
        return str(value.isoformat())
    raise TypeError(type(value))


def toml_document(document: dict[str, Any]) -> str:
    """A whole TOML document, one top-level key a line."""
    return "".join(f"{toml_string(k)} = {toml_value(v)}\n" for k, v in document.items())


ZONES = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=5, minutes=30))])
SCALARS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(PLAUSIBLE),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=ZONES),
    st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def slots(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) in a parsed document, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield node, key
            yield from slots(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield node, index
            yield from slots(value)


@st.composite
def wrong_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The small fixture with a few random edits: values replaced, fields dropped or added, entries copied."""
    document = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = list(slots(document))
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add", "copy"]))
        if action == "replace":
            container[key] = draw(VALUES)
        elif action == "drop":
            del container[key]
        elif action == "add" and isinstance(container, dict):
            container[draw(st.sampled_from([*PLAUSIBLE, "amount", "currency", "count", "date", "extra"]))] = draw(
                VALUES
            )
        elif isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
    return document


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory that outlives the examples of one property test."""
    return tmp_path_factory.mktemp("hostile")


def assert_clean_failure_or_success(code: int, out: str, err: str, name: str) -> None:
    """Exit 0, or exit 1 with nothing on stdout and a summary naming the file; never a traceback."""
    assert "Traceback" not in err
    assert RAW_CONTROL.search(err) is None
    assert code in (0, 1), err
    if code == 1:
        assert out == ""
        last = err.splitlines()[-1]
        summary = re.fullmatch(rf"relations: error: \d+ problems? in {re.escape(name)}", last)
        assert summary or last.startswith("relations: error: no record, actor or source with id 'ties'"), err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), at=st.integers(min_value=0))
def test_random_bytes_never_crash_the_loader(scratch: Path, data: bytes, at: int) -> None:
    """Random bytes, alone or spliced into a valid file: a Dataset or a DatasetError, nothing else."""
    valid = SMALL.read_bytes()
    cut = at % (len(valid) + 1)
    for content in (data, valid[:cut] + data + valid[cut:]):
        path = scratch / "random.toml"
        path.write_bytes(content)
        try:
            load(path)
        except DatasetError as exc:
            assert exc.problems and all(p.file == str(path) for p in exc.problems)
            assert all(RAW_CONTROL.search(str(p)) is None for p in exc.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), at=st.integers(min_value=0), command=st.sampled_from(sorted(DATA_COMMANDS)))
def test_random_bytes_never_crash_the_cli(scratch: Path, data: bytes, at: int, command: str) -> None:
    """Random bytes spliced into a valid file, through the command line: a clean exit, never a traceback."""
    valid = SMALL.read_bytes()
    cut = at % (len(valid) + 1)
    path = scratch / "random-cli.toml"
    path.write_bytes(valid[:cut] + data + valid[cut:])
    code, out, err = invoke(entry.main, argv_for(command, path, scratch))
    assert_clean_failure_or_success(code, out, err, str(path))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=wrong_documents())
def test_wrong_toml_never_crashes_the_loader(scratch: Path, document: dict[str, Any]) -> None:
    """Well-formed TOML of the wrong shape or types: a Dataset or every problem, never an exception."""
    path = scratch / "wrong.toml"
    text = toml_document(document)
    tomllib.loads(text)  # the writer makes valid TOML, so this tests the validator, not the parser
    path.write_text(text, encoding="utf-8")
    try:
        load(path)
    except DatasetError as exc:
        assert exc.problems and all(p.file == str(path) for p in exc.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    document=wrong_documents(),
    command=st.sampled_from(sorted(DATA_COMMANDS)),
    fmt=st.sampled_from(["table", "tsv", "csv", "json", "jsonl", "markdown"]),
)
def test_wrong_toml_never_crashes_the_cli(scratch: Path, document: dict[str, Any], command: str, fmt: str) -> None:
    """Wrong TOML through every command and format: exit 0 or 1 cleanly; JSON output, when any, parses."""
    path = scratch / "wrong-cli.toml"
    path.write_text(toml_document(document), encoding="utf-8")
    argv = argv_for(command, path, scratch)
    if command in LISTING:
        argv += ["--format", fmt]
    code, out, err = invoke(entry.main, argv)
    assert_clean_failure_or_success(code, out, err, str(path))
    if code == 0 and command in LISTING and fmt == "json":
        assert isinstance(json.loads(out), list)


# --- Text that attacks the terminal ----------------------------------------------------------------

TITLE = "[bold red]Ties[/bold red] \x1b[31mRED\x1b[0m \x07bell [link=http://evil.example]click[/link] \u202eevil"
SUMMARY = "Line one\nline two\ttabbed \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \x9b2J “quoted”"
NOTE = '\x1b[2J\x1b[H cleared | pipe, comma "quote"'
# What the file tries to send, exactly; the tool's own styling uses escape codes of its own.
RAW_SEQUENCES = ("\x1b[31mRED", "\x07", "\x1b]8;;http://evil", "\x1b[2J", "\x9b", "\u202e", "Azerbaijan\x1b[5m")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A valid dataset whose texts hold Rich markup, escape sequences, BEL and bidi overrides."""
    path = tmp_path / "hostile.toml"
    path.write_text(
        toml_document(
            {
                "sources": [{"id": "alpha", "title": TITLE, "authors": [NOTE], "published": "2017-01-16"}],
                "actors": [
                    {"id": "pakistan", "name": "[link=http://evil.example]Pakistan[/link]", "kind": "organisation"},
                    {"id": "azerbaijan", "name": "Azerbaijan\x1b[5m", "kind": "organisation"},
                ],
                "events": [
                    {
                        "id": "ties",
                        "date": "1992-06",
                        "category": "diplomatic-relations",
                        "title": TITLE,
                        "summary": SUMMARY,
                        "notes": NOTE,
                        "actors": ["pakistan", "azerbaijan"],
                        "sources": [{"source": "alpha", "paragraph": 2}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "markdown"])
@pytest.mark.parametrize("command", [["events"], ["search", "ties"], ["show", "ties"], ["sources"]])
def test_text_formats_show_escapes_not_effects(
    hostile: Path, command: list[str], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Table, TSV, CSV and Markdown: markup shows literally, control characters as visible escapes."""
    monkeypatch.setenv("COLUMNS", "250")
    code, out, err = invoke(entry.main, ["--data", str(hostile), *command, "--format", fmt])
    assert code == 0, err
    assert RAW_CONTROL.search(out) is None, repr(out)
    assert "[bold red]Ties[/bold red]" in out
    assert "\\x1b[31mRED" in out


@pytest.mark.parametrize("fmt", ["tsv", "csv", "markdown"])
def test_escaped_newlines_and_tabs_keep_rows_whole(hostile: Path, fmt: str) -> None:
    """A newline or tab inside a value never breaks a row: one header line, one line per record."""
    code, out, _ = invoke(entry.main, ["--data", str(hostile), "events", "--format", fmt, "--fields", "id,summary"])
    assert code == 0
    lines = out.splitlines()
    rows = [line for line in lines if not line.startswith("|--") and not line.startswith("|---")]
    assert len(rows) == 2, out
    if fmt == "tsv":
        assert all(line.count("\t") == 1 for line in rows)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_round_trips_hostile_text_exactly(hostile: Path, fmt: str) -> None:
    """JSON escapes control characters as JSON does, and parsing gives back the exact text."""
    code, out, _ = invoke(entry.main, ["--data", str(hostile), "events", "--format", fmt])
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    record = json.loads(out)[0] if fmt == "json" else json.loads(out.splitlines()[0])
    assert (record["title"], record["summary"], record["notes"]) == (TITLE, SUMMARY, NOTE)
    code, out, _ = invoke(entry.main, ["--data", str(hostile), "show", "ties", "--format", "json"])
    assert code == 0 and json.loads(out)["title"] == TITLE


def run_on_terminal(argv: Sequence[str], env: dict[str, str], timeout: float = 30.0) -> tuple[int, str]:
    """Run `python -m relations_cli` with stdout and stderr on a pseudo-terminal; return exit code and screen."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "relations_cli", *argv],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    screen = read_terminal(leader, process, timeout)
    os.close(leader)
    return process.returncode, screen


def read_terminal(leader: int, process: subprocess.Popen[bytes], timeout: float, until: str | None = None) -> str:
    """Read what a process writes to its terminal until it exits (or `until` appears)."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # every writer is gone
                chunk = b""
            if chunk:
                chunks.append(chunk)
                if until is not None and until in b"".join(chunks).decode("utf-8", "replace"):
                    break
                continue
            if until is None or process.poll() is not None:
                break
        elif process.poll() is not None:
            break
    if until is None:
        process.wait(timeout=timeout)
    return b"".join(chunks).decode("utf-8", "replace")


def terminal_env(**extra: str) -> dict[str, str]:
    """The environment of a child: this one, minus what would change colours or the dataset."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "RELATIONS_DATA")}
    env.update(extra)
    return env


@pytest.mark.parametrize("command", [["events"], ["show", "ties"], ["sources"]])
def test_on_a_real_terminal_nothing_escapes(hostile: Path, command: list[str]) -> None:
    """On a colour terminal the tool styles its own output, but the file's sequences stay inert."""
    code, screen = run_on_terminal(
        ["--data", str(hostile), *command], terminal_env(TERM="xterm-256color", COLUMNS="200")
    )
    assert code == 0, screen
    for sequence in RAW_SEQUENCES:
        assert sequence not in screen, (sequence, screen)
    assert "\\x1b[31mRED" in screen or command == ["sources"]


def test_dumb_terminal_gets_no_escape_codes_at_all(hostile: Path) -> None:
    """TERM=dumb: a table with no colour or cursor codes, even on a terminal."""
    code, screen = run_on_terminal(["--data", str(hostile), "events"], terminal_env(TERM="dumb", COLUMNS="120"))
    assert code == 0, screen
    assert "\x1b" not in screen, repr(screen)


# --- Odd environments -----------------------------------------------------------------------------


def module_run(argv: Sequence[str], **env: str) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m relations_cli` in a pipe with extra environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "relations_cli", *argv],
        capture_output=True,
        env=terminal_env(**env),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture
def curly(tmp_path: Path) -> Path:
    """A valid dataset whose text is full of curly quotes, dashes and non-Latin letters."""
    path = tmp_path / "curly.toml"
    path.write_text(
        toml_document(
            {
                "sources": [{"id": "alpha", "title": "“Mutual” – beneficial", "published": "2017"}],
                "actors": [{"id": "heydar-aliyev", "name": "Heydər Əliyev", "kind": "person", "country": "AZ"}],
                "events": [
                    {
                        "id": "ties",
                        "date": "1992",
                        "category": "visit",
                        "title": "Heydər Əliyev’s “visit” – Baku",
                        "summary": "Пакистан ↔ Azərbaycan",
                        "actors": ["heydar-aliyev"],
                        "sources": [{"source": "alpha", "paragraph": 1}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "jsonl", "markdown"])
@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C"}], ids=["ascii", "lang-c"])
def test_ascii_or_c_locale_output(curly: Path, fmt: str, env: dict[str, str]) -> None:
    """An ASCII-only stream or the C locale: the output is written (escaped where needed), exit 0."""
    done = module_run(["--data", str(curly), "events", "--format", fmt], **env)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    if env.get("PYTHONIOENCODING") == "ascii":
        done.stdout.decode("ascii")  # nothing the stream could not encode
    if fmt == "json":
        assert json.loads(done.stdout)[0]["title"] == "Heydər Əliyev’s “visit” – Baku"


def test_ascii_show_and_errors(curly: Path, tmp_path: Path) -> None:
    """`show` and an error message on an ASCII stream: escaped, not a crash."""
    done = module_run(["--data", str(curly), "show", "ties"], PYTHONIOENCODING="ascii")
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    bad = tmp_path / "bad-curly.toml"
    bad.write_text(curly.read_text(encoding="utf-8").replace('"visit"', '"“visit”"', 1), encoding="utf-8")
    done = module_run(["--data", str(bad), "events"], PYTHONIOENCODING="ascii")
    assert done.returncode == 1 and done.stdout == b""
    assert b"Traceback" not in done.stderr and b"unknown value" in done.stderr


@pytest.mark.parametrize(
    "columns",
    [
        "5",
        "1",
        "0",
        "abc",
    ],
)
def test_tiny_or_bogus_columns(curly: Path, columns: str) -> None:
    """COLUMNS=5 (or nonsense) with TERM=dumb: something is printed (folded to fit), exit 0."""
    done = module_run(["--data", str(curly), "events", "-f", "table"], COLUMNS=columns, TERM="dumb")
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and done.stdout.strip()


def big_toml(records: int) -> str:
    """A valid dataset of many events, as TOML text."""
    head = (
        '[[sources]]\nid = "alpha"\ntitle = "Alpha"\n\n'
        '[[actors]]\nid = "pakistan"\nname = "Pakistan"\nkind = "organisation"\n'
    )
    body = "".join(
        f'\n[[events]]\nid = "e{i}"\ndate = "2010"\ncategory = "visit"\ntitle = "Visit number {i}"\n'
        f'summary = "Someone visited, for the {i}th time."\nactors = ["pakistan"]\n'
        f'sources = [{{ source = "alpha", paragraph = {i % 40 + 1} }}]\n'
        for i in range(records)
    )
    return head + body


def test_stdout_closed(curly: Path) -> None:
    """Standard output closed before start: a message on stderr, no traceback."""
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "relations_cli", "--data", str(curly), "events"],
        capture_output=True,
        env=terminal_env(),
        timeout=60,
    )
    assert done.returncode in (0, 1)
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize("fmt", ["tsv", "json", "table"])
def test_reader_goes_away(tmp_path: Path, fmt: str) -> None:
    """The reader closes the pipe early (as `| head -1` does): exit 0, nothing on stderr."""
    path = tmp_path / "many.toml"
    path.write_text(big_toml(2000), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "relations_cli", "--data", str(path), "events", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=terminal_env(),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert error == b""


def test_ctrl_c_while_loading_in_a_real_process(tmp_path: Path) -> None:
    """SIGINT while a big file is read (its progress line on the terminal): exit 130, no traceback."""
    path = tmp_path / "big.toml"
    path.write_text(big_toml(40_000), encoding="utf-8")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "relations_cli", "--no-cache", "--data", str(path), "events", "--format", "json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=terminal_env(),
    )
    os.close(follower)
    screen = read_terminal(leader, process, timeout=60, until="reading")
    assert "reading" in screen, screen  # loading takes over half a second: it says so, on the terminal
    process.send_signal(signal.SIGINT)
    screen += read_terminal(leader, process, timeout=60)
    os.close(leader)
    assert process.returncode == 130, screen
    assert "Traceback" not in screen and "KeyboardInterrupt" not in screen


@pytest.mark.parametrize("main", [entry.main, cli.main], ids=["entry", "cli"])
@pytest.mark.parametrize("command", ["events", "sources", "validate"])
def test_ctrl_c_in_process(main: MainFunction, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during loading: main returns 130 with a bare newline on stderr."""

    def interrupted(*args: object, **kwargs: object) -> object:
        """Stand in for loading, pressing Ctrl-C."""
        raise KeyboardInterrupt

    monkeypatch.setattr("relations_cli.store._load", interrupted)
    code, out, err = invoke(main, ["--data", str(SMALL), command])
    assert (code, out) == (130, "")
    assert "Traceback" not in err and err.strip() == ""
