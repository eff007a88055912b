"""Tests of the pager: output taller than a terminal goes through it; pipes and --no-pager never do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from relations_cli.runtime import DEFAULT_PAGER, pager_command
from tests.conftest import SMALL
from tests.test_hostile import run_on_terminal

PAGED = ["--data", str(SMALL), "events"]  # 4 events: a table of more than 5 lines
SHOWN = ["--data", str(SMALL), "show", "visit-heydar"]  # a command the quick path leaves to Typer


@pytest.fixture
def pager(tmp_path: Path) -> Path:
    """A pager that records each call in `pager.calls` and what it was given in `pager.out`."""
    script = tmp_path / "pager"
    script.write_text('#!/bin/sh\necho called >> "$0.calls"\ncat > "$0.out"\n')
    script.chmod(0o755)
    return script


def child_env(**extra: str) -> dict[str, str]:
    """The environment minus any pager setting, with a fixed terminal size and `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("RELATIONS_PAGER", "PAGER", "NO_COLOR", "FORCE_COLOR")}
    env.update(COLUMNS="120", LINES="5", TERM="dumb")
    env.update(extra)
    return env


def calls(pager: Path) -> int:
    """How many times the pager ran."""
    record = Path(f"{pager}.calls")
    return len(record.read_text().splitlines()) if record.exists() else 0


@pytest.mark.parametrize("argv", [PAGED, SHOWN])
def test_tall_output_on_a_terminal_goes_through_the_pager(pager: Path, argv: list[str]) -> None:
    """On a terminal of 5 lines, a taller table goes to $RELATIONS_PAGER, not to the screen."""
    code, screen = run_on_terminal(argv, child_env(RELATIONS_PAGER=str(pager)))
    assert code == 0, screen
    assert calls(pager) == 1
    assert "visit-heydar" in Path(f"{pager}.out").read_text()
    assert "visit-heydar" not in screen


def test_pager_falls_back_to_pager_variable(pager: Path) -> None:
    """Without RELATIONS_PAGER, $PAGER is the pager."""
    code, _ = run_on_terminal(PAGED, child_env(PAGER=str(pager)))
    assert code == 0 and calls(pager) == 1


def test_short_output_is_printed_directly(pager: Path) -> None:
    """Output that fits the terminal never starts the pager."""
    code, screen = run_on_terminal(PAGED, child_env(RELATIONS_PAGER=str(pager), LINES="100"))
    assert code == 0 and calls(pager) == 0
    assert "visit-heydar" in screen


def test_piped_output_never_goes_through_the_pager(pager: Path) -> None:
    """In a pipe, even a table taller than LINES is written straight to stdout."""
    for argv in (PAGED, [*PAGED, "-f", "table"], SHOWN):
        done = subprocess.run(
            [sys.executable, "-m", "relations_cli", *argv],
            capture_output=True,
            text=True,
            env=child_env(RELATIONS_PAGER=str(pager)),
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert done.returncode == 0 and "visit-heydar" in done.stdout
    assert calls(pager) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-pager", *PAGED],
        [*PAGED, "--no-pager"],
        [*SHOWN, "--no-pager"],
    ],
)
def test_no_pager_flag_prints_directly(pager: Path, argv: list[str]) -> None:
    """--no-pager, before or after the command, prints to the terminal without the pager."""
    code, screen = run_on_terminal(argv, child_env(RELATIONS_PAGER=str(pager)))
    assert code == 0 and calls(pager) == 0
    assert "visit-heydar" in screen


@pytest.mark.parametrize("value", ["", "cat", "/no/such/pager --flag"])
def test_empty_cat_or_missing_pager_prints_directly(pager: Path, value: str) -> None:
    """An empty RELATIONS_PAGER or `cat` means no pager (even with PAGER set); a missing one, print directly."""
    code, screen = run_on_terminal(PAGED, child_env(RELATIONS_PAGER=value, PAGER=str(pager)))
    assert code == 0, screen
    assert calls(pager) == 0
    assert "visit-heydar" in screen


def test_pager_command_reads_the_environment() -> None:
    """RELATIONS_PAGER wins over PAGER; less -FRX is the default; empty or cat means none."""
    assert pager_command({}) == DEFAULT_PAGER.split()
    assert pager_command({"PAGER": "most -s"}) == ["most", "-s"]
    assert pager_command({"PAGER": "most", "RELATIONS_PAGER": "less -R"}) == ["less", "-R"]
    assert pager_command({"PAGER": "most", "RELATIONS_PAGER": ""}) is None
    assert pager_command({"PAGER": "/bin/cat"}) is None
    assert pager_command({"PAGER": "less 'unclosed"}) is None
