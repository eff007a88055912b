"""Files nobody should read: pipes, devices, sockets, huge and deeply nested files, never hang or eat memory."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from relations_cli.dataset import DEFAULT_MAX_BYTES, DatasetError, end_position, load, max_bytes, parse_toml
from tests.conftest import BUNDLED, REPO
from tests.test_hostile import DATA_COMMANDS

BAD = Path(__file__).parent / "bad"
# Per hostile input, a fragment the message must contain.
EXPECTED = {
    "fifo": "named pipe (FIFO)",
    "device": "character device",
    "socket": "socket",
    "huge": "over the size limit",
    "deep": "nesting is too deep",
}
TIME_LIMIT = 30


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """The hostile inputs: a FIFO with no writer, a device, a socket, a sparse file over the limit, deep nesting."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:
        handle.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: no disk used, but over the default limit
    sock_path = tmp_path / "sock.toml"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(sock_path))
    try:
        yield {
            "fifo": fifo,
            "device": Path("/dev/zero"),
            "socket": sock_path,
            "huge": huge,
            "deep": BAD / "deep-nesting.toml",
        }
    finally:
        server.close()


def run(
    args: list[str], cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m relations_cli` with a time limit, as a user's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "relations_cli", "--no-cache", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        timeout=TIME_LIMIT,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        check=False,
    )


@pytest.mark.parametrize("command", sorted(DATA_COMMANDS))
def test_every_data_command_refuses_every_hostile_input_at_once(
    command: str, hostile: dict[str, Path], tmp_path: Path
) -> None:
    """Each data-reading command ends with exit 1 and a message naming what the file is, within the time limit."""
    extra = [a.replace("{tmp}", str(tmp_path)) for a in DATA_COMMANDS[command]]
    for name, path in hostile.items():
        if command == "validate":
            done = run(["validate", str(path)], tmp_path)
        else:
            done = run(["--data", str(path), command, *extra], tmp_path)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 1, (name, err)
        assert done.stdout == b"", name
        assert EXPECTED[name] in err, (name, err)
        assert "Traceback" not in err, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.toml", "pipe.toml", "sock.toml"]


def test_hostile_inputs_are_still_there_untouched(hostile: dict[str, Path]) -> None:
    """Refusing a FIFO or a socket leaves it as it was: still a FIFO, still a socket."""
    for name in ("fifo", "socket"):
        run(["validate", str(hostile[name])], hostile[name].parent)
    assert stat.S_ISFIFO(hostile["fifo"].stat().st_mode)
    assert stat.S_ISSOCK(hostile["socket"].stat().st_mode)


def test_the_size_limit_is_refused_before_reading_and_is_settable(tmp_path: Path) -> None:
    """A file over RELATIONS_MAX_BYTES is refused with the variable named; raising the limit reads it."""
    small_limit = {"RELATIONS_MAX_BYTES": "10K"}
    done = run(["validate", str(BUNDLED)], tmp_path, env=small_limit)
    err = done.stderr.decode()
    assert done.returncode == 1 and "over the size limit of 10240 bytes" in err and "RELATIONS_MAX_BYTES" in err
    assert run(["validate", str(BUNDLED)], tmp_path, env={"RELATIONS_MAX_BYTES": "64M"}).returncode == 0


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", DEFAULT_MAX_BYTES),
        ("2048", 2048),
        ("4k", 4096),
        ("3M", 3 * 1024**2),
        ("1GiB", 1024**3),
        ("nonsense", DEFAULT_MAX_BYTES),
    ],
)
def test_size_limit_setting_is_read_with_units(monkeypatch: pytest.MonkeyPatch, setting: str, expected: int) -> None:
    """RELATIONS_MAX_BYTES takes bytes or K/M/G units; an unreadable value keeps the default."""
    monkeypatch.setenv("RELATIONS_MAX_BYTES", setting)
    assert max_bytes() == expected


def test_dash_reads_the_dataset_from_stdin(tmp_path: Path) -> None:
    """`--data -` reads standard input: the same records as the file, and the same limit."""
    text = BUNDLED.read_bytes()
    from_stdin = run(["--data", "-", "events", "--format", "json"], tmp_path, stdin=text)
    from_file = run(["--data", str(BUNDLED), "events", "--format", "json"], tmp_path)
    assert from_stdin.returncode == 0 and from_stdin.stdout == from_file.stdout
    assert run(["validate", "-"], tmp_path, stdin=text).returncode == 0
    over = run(["--data", "-", "events"], tmp_path, stdin=text, env={"RELATIONS_MAX_BYTES": "1K"})
    assert over.returncode == 1 and b"<stdin>: is over the size limit of 1024 bytes" in over.stderr


def test_stdin_syntax_errors_name_stdin_and_the_place(tmp_path: Path) -> None:
    """A broken dataset on stdin is reported as <stdin> with line and column."""
    done = run(["--data", "-", "events"], tmp_path, stdin=b"[meta]\ntitle = 'x'\nbad = [1,\n")
    assert done.returncode == 1
    assert b"<stdin>: line 4, column 1: TOML syntax error" in done.stderr


@pytest.mark.parametrize(
    "text",
    [
        "a = [1,",
        "a = {b = 1",
        'a = """abc',
        "[table",
        "a = 1\nb = [\n  1,\n  2,",
        "x = 'unterminated",
        "a =",
        "[[events]]\nid =",
    ],
)
def test_syntax_errors_at_the_end_of_the_document_name_line_and_column(text: str) -> None:
    """An error tomllib places at the end of the document still gets the line and column of that end."""
    with pytest.raises(DatasetError) as caught:
        parse_toml(text, "f.toml")
    problem = caught.value.problems[0]
    assert problem.where.startswith("line ") and ", column " in problem.where
    assert "end of document" not in str(problem)
    if "at the end of the file" in problem.message:
        assert problem.where == end_position(text)


def test_end_position_counts_lines_and_columns() -> None:
    """The end of a text is the line after its last newline, column one past its last character."""
    assert end_position("") == "line 1, column 1"
    assert end_position("ab") == "line 1, column 3"
    assert end_position("ab\ncd\n") == "line 3, column 1"
    assert end_position("ab\nxyz") == "line 2, column 4"


def test_a_directory_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    """A directory or a missing path raises DatasetError saying which."""
    with pytest.raises(DatasetError, match="is a directory"):
        load(tmp_path)
    with pytest.raises(DatasetError, match="no such file"):
        load(tmp_path / "missing.toml")


def test_export_never_replaces_a_link_or_what_it_points_to(tmp_path: Path) -> None:
    """A symbolic link as the export path: exit 1 even with --force; the link and its target are untouched."""
    target = tmp_path / "precious.json"
    target.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    done = run(["export", str(link), "--force"], tmp_path)
    assert done.returncode == 1 and b"symbolic link" in done.stderr
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "precious.json"]


def test_export_never_replaces_a_pipe(tmp_path: Path) -> None:
    """A FIFO as the export path is not a regular file: exit 1, still a FIFO, nothing else written."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = run(["export", str(fifo), "--force"], tmp_path)
    assert done.returncode == 1 and b"not a regular file" in done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe.json"]


def test_export_dash_writes_json_or_one_csv_table_to_stdout(tmp_path: Path) -> None:
    """`export -` prints the JSON document (parsed back whole) or the CSV of one table, and writes no file."""
    import csv
    import io
    import json

    done = run(["export", "-", "--year", "2022"], tmp_path)
    assert done.returncode == 0
    document = json.loads(done.stdout)
    assert set(document) == {"meta", "sources", "actors", "events", "aid", "agreements"}
    assert document["aid"] and all("2022" in a["date"] for a in document["aid"])
    table = run(["export", "-", "--format", "csv", "--kind", "aid", "--year", "2022"], tmp_path)
    rows = list(csv.DictReader(io.StringIO(table.stdout.decode("utf-8"))))
    assert [r["id"] for r in rows] == [a["id"] for a in document["aid"]]
    refused = run(["export", "-", "--format", "csv"], tmp_path)
    assert refused.returncode == 2 and b"--kind" in refused.stderr
    assert not (REPO / "-").exists() and list(tmp_path.iterdir()) == []


def test_export_dash_sqlite_goes_to_a_pipe_but_not_to_a_terminal(tmp_path: Path) -> None:
    """SQLite to a pipe is a database file; to a terminal it is refused with exit 2."""
    import pty
    import sqlite3

    piped = run(["export", "-", "--format", "sqlite"], tmp_path)
    assert piped.returncode == 0 and piped.stdout.startswith(b"SQLite format 3\x00")
    database = tmp_path / "piped.db"
    database.write_bytes(piped.stdout)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "relations_cli", "--no-cache", "export", "-", "--format", "sqlite"],
            cwd=REPO,
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=TIME_LIMIT,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 2 and b"terminal" in done.stderr


def test_a_full_disk_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    """Writing to /dev/full (no space left) ends with exit 1 and one line on stderr, from every path."""
    for args in (["events"], ["show", "pakistan-recognises-azerbaijan"], ["export", "-"], ["summary"]):
        with Path("/dev/full").open("wb") as full:
            done = subprocess.run(
                [sys.executable, "-m", "relations_cli", "--no-cache", *args],
                cwd=REPO,
                stdout=full,
                stderr=subprocess.PIPE,
                timeout=TIME_LIMIT,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                check=False,
            )
        assert done.returncode == 1, args
        assert done.stderr.decode().splitlines() == [
            "relations: error: cannot write the output: No space left on device"
        ]


def test_export_to_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """A reader that stops early (`| head -c 10`) ends `export -` with exit 0 and nothing on stderr."""
    for fmt in ("sqlite", "json"):
        process = subprocess.Popen(
            [sys.executable, "-m", "relations_cli", "--no-cache", "export", "-", "--format", fmt],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        assert process.stderr.read() == b"" and process.wait(timeout=TIME_LIMIT) == 0, fmt
