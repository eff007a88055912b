"""Tests of the quick entry path: it answers plain queries exactly as the full Typer app does."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relations_cli import entry, options
from relations_cli.cli import app as cli
from tests.conftest import SMALL

VALUES = {
    "--year": ["1992", "1993", "2010", "abc", "0", "99999", "-5"],
    "-y": ["2011", "2015", "2010-2011", "2011,2015", "2015-2010"],
    "--from": ["1990", "2011", "x", "2015-03", "2015-13"],
    "--to": ["2012", "1980", "2015-03-11", "2015-02-30"],
    "--category": ["visit", "vist", "disaster-relief", "economic"],
    "-c": ["summit", "training", "Visit,summit", "VISIT,economic"],
    "--type": ["memorandum", "Declaration,aggregate", "memo"],
    "--actor": ["pakistan", "HEYDAR", ""],
    "--donor": ["azerbaijan", "nobody"],
    "--recipient": ["pakistan"],
    "--search": ["flood", "heydər", "[bold]", "flood OR ties", "aid -flood", "OR"],
    "-s": ["grant", "recogni*"],
    "--source": ["alpha", "gamma"],
    "--country": ["PK", "az", "XX"],
    "--donor-country": ["AZ", "pk"],
    "--recipient-country": ["PK", "Pakistan"],
    "--place": ["Baku", "AZ", ""],
    "--status": ["signed", "in-force", "bogus"],
    "--sort": ["date", "-date", "amount", "-id", "colour"],
    "--limit": ["0", "2", "-1", "two"],
    "--format": ["json", "jsonl", "csv", "tsv", "markdown", "table", "yaml"],
    "-f": ["json", "tsv", "JSON"],
    "--fields": ["id,date", "title,id", "id,colour", "", "ID,Date"],
    "--data": [str(SMALL), "missing.toml"],
}
option = st.sampled_from(sorted(VALUES)).flatmap(
    lambda name: st.sampled_from(VALUES[name]).map(lambda value: [name, value])
)
EXTRAS = [["--cite"], ["--help"], ["--bogus"], ["-y"], ["--year=2010"], ["-y2010"], ["--", "x"]]
EXTRAS += [["--disputed"], ["--status", "signed"]]
EXTRAS += [["--exit-status"], ["--no-cache"], ["--json"], ["--csv"], ["--data=" + str(SMALL)], ["--cite=1"]]
extra = st.sampled_from(EXTRAS)
command = st.sampled_from(["events", "aid", "agreements", "search", "show", "sources", "actors", "evnts"])


def run_both(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """The exit code, stdout and stderr of the quick entry point and of the full app."""
    quick = entry.main(argv)
    out1 = capsys.readouterr()
    full = cli.main(argv)
    out2 = capsys.readouterr()
    return (quick, out1.out, out1.err), (full, out2.out, out2.err)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=command,
    words=st.sampled_from([[], ["flood"], ["pakistan"], ["a", "b"], ["flood", "-grant"], ["-yemen", "OR", "ties"]]),
    options=st.lists(option, max_size=4),
    extras=st.lists(extra, max_size=1),
    cache=st.booleans(),
)
def test_quick_path_prints_what_the_full_app_prints(
    name: str,
    words: list[str],
    options: list[list[str]],
    extras: list[list[str]],
    cache: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Property: for any arguments, both entry points give the same exit code, stdout and stderr."""
    argv = ["--data", str(SMALL), *(["--no-cache"] if not cache else []), name, *words]
    for pair in [*options, *extras]:
        argv += pair
    quick, full = run_both(argv, capsys)
    assert quick == full


@st.composite
def plain_query(draw: st.DrawFn) -> list[str]:
    """Arguments of a listing command using only options that command has (values may still be bad)."""
    name = draw(st.sampled_from(sorted(options.LISTINGS)))
    flags = sorted(f for f, o in options.flags_of(name).items() if f in VALUES)
    argv = ["--data", str(SMALL), name]
    if name == "search":
        argv.append(draw(st.sampled_from(["flood", "pakistan", "heydar"])))
    for flag in draw(st.lists(st.sampled_from(flags), max_size=4)):
        argv += [flag, draw(st.sampled_from(VALUES[flag]))]
    return argv


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=plain_query())
def test_plain_queries_match_the_full_app(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Property: listing commands with their own options print the same through both entry points."""
    quick, full = run_both(argv, capsys)
    assert quick == full


def test_quick_path_is_taken_for_plain_queries() -> None:
    """A plain JSON query is recognised without Typer; help and typos are left to Typer."""
    parsed = entry.parse(["aid", "--year", "2010", "--format", "json"])
    assert parsed is not None and parsed.command == "aid"
    assert parsed.values == {**options.defaults("aid"), "years": (2010,), "fmt": "json"}
    assert entry.parse(["aid", "--help"]) is None
    assert entry.parse(["aid", "--year", "twenty"]) is None
    assert entry.parse(["aid", "--actor", "x"]) is None
    assert entry.parse(["search"]) is None


def test_quick_path_takes_show_with_one_id() -> None:
    """`show ID` with its own options is run without Typer; no id, two ids or help go to Typer."""
    parsed = entry.parse(["show", "-f", "json", "flood-2010"])
    assert parsed is not None and (parsed.command, parsed.words) == ("show", ["flood-2010"])
    assert parsed.values == {**options.defaults("show"), "fmt": "json"}
    assert entry.parse(["show"]) is None
    assert entry.parse(["show", "a", "b"]) is None
    assert entry.parse(["show", "a", "--help"]) is None
    assert entry.parse(["show", "a", "--year", "2010"]) is None  # not an option of show


SHOWN = ["grant-early", "visit-heydar", "pakistan", "alpha", "Pakistan", "heydar", "nothing-here", "-", "flood"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ident=st.sampled_from(SHOWN),
    fmt=st.sampled_from([[], ["-f", "json"], ["--format", "jsonl"], ["-f", "tsv"], ["-f", "csv"], ["-f", "x"]]),
    cache=st.booleans(),
)
def test_show_prints_what_the_full_app_prints(
    ident: str, fmt: list[str], cache: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: `show` of a record, actor, source, name or unknown id prints the same through both entry points."""
    argv = ["--data", str(SMALL), *(["--no-cache"] if not cache else []), "show", ident, *fmt]
    quick, full = run_both(argv, capsys)
    assert quick == full


def test_quick_path_does_not_import_typer() -> None:
    """Running a plain query through the entry point leaves Typer unimported."""
    import subprocess
    import sys

    code = (
        "import sys; from relations_cli.entry import main; "
        f"main(['--data', {str(SMALL)!r}, 'aid', '--format', 'json']); "
        f"main(['--data', {str(SMALL)!r}, 'show', 'grant-early', '--format', 'json']); "
        "print('typer' in sys.modules, 'rich' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False False"


def test_leave_returns_when_stdout_cannot_be_flushed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A program whose stdout fails to flush does not end at once: the usual exit reports the failure."""

    class Unflushable(io.StringIO):
        """A stream whose reader went away."""

        def flush(self) -> None:
            """Fail as a closed pipe does."""
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", Unflushable())
    entry.leave(0)
    reached = True  # os._exit would have ended the test run here
    assert reached
