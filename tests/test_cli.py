"""Tests of the command line: wiring, formats, exit codes, and the stdout/stderr split."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from relations_cli import __version__
from relations_cli.cli.app import app, main
from relations_cli.dataset import load
from relations_cli.query import Query, run
from relations_cli.render import to_dict
from tests.conftest import BROKEN, BUNDLED, SMALL

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the app on the small fixture; return exit code, stdout and stderr."""
    result = runner.invoke(app, ["--data", str(SMALL), *args])
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    """--version names the tool's version, the bundled dataset's version and its newest source date."""
    dataset = load(BUNDLED)
    newest = max(s.published for s in dataset.sources if s.published)
    version = dict(dataset.meta)["version"]
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (
        0,
        f"relations {__version__} (dataset version {version}, sources up to {newest})\n",
    )


def test_version_reads_the_data_given_beside_it() -> None:
    """--version after --data describes that dataset; a dataset without a version says so."""
    pages = str(SMALL.parent / "pages.toml")
    result = runner.invoke(app, ["--data", pages, "--version"])
    assert result.stdout == f"relations {__version__} (dataset version 2, sources up to 2024-07)\n"
    result = runner.invoke(app, [f"--data={SMALL}", "--no-cache", "--version"])
    assert result.stdout == f"relations {__version__} (dataset without a version, sources up to 2017-01-16)\n"


def test_validate_summarises() -> None:
    """validate exits 0 with a one-line summary of counts."""
    code, out, err = invoke("validate")
    assert code == 0 and err == ""
    assert out == f"{SMALL}: valid: 4 events, 4 aid, 2 agreements, 2 sources\n"


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.toml")), ids=lambda p: p.stem)
def test_validate_broken_exits_1_with_problems_on_stderr(path: Path) -> None:
    """A broken dataset exits 1, prints nothing on stdout and every problem on stderr."""
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert str(path) in result.stderr and "problem" in result.stderr


def test_sources_json_counts_citing_records() -> None:
    """sources --format json lists each source with the number of records citing it."""
    code, out, _ = invoke("sources", "--format", "json")
    dataset = load(SMALL)
    expected = {s.id: sum(any(c.source == s.id for c in r.sources) for r in dataset.records()) for s in dataset.sources}
    assert code == 0
    assert {s["id"]: s["records"] for s in json.loads(out)} == expected
    assert list(json.loads(out)[0]) == [
        "id",
        "title",
        "authors",
        "published",
        "file",
        "publisher",
        "url",
        "language",
        "kind",
        "notes",
        "records",
    ]


def test_aid_year_json_equals_the_query() -> None:
    """`aid --year 1993 --format json` returns exactly the matching records in the documented shape."""
    code, out, _ = invoke("aid", "--year", "1993", "--format", "json")
    expected = [to_dict(r) for r in run(load(SMALL).records(), Query(kinds=("aid",), years=(1993,)))]
    assert code == 0 and json.loads(out) == expected


def test_piped_default_is_tsv() -> None:
    """Without --format, output to a pipe is tab-separated with a header."""
    code, out, _ = invoke("events", "-c", "visit")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out), delimiter="\t"))
    assert [r["id"] for r in rows] == ["visit-heydar"]
    assert "─" not in out and "\x1b" not in out


def test_fields_option_orders_columns() -> None:
    """--fields chooses and orders the columns."""
    code, out, _ = invoke("aid", "--fields", "amount,id", "--format", "csv", "--limit", "1")
    assert code == 0 and out.splitlines() == ["amount,id", "1000000,grant-early"]


def test_search_command_spans_kinds_and_spellings() -> None:
    """search finds records of every kind, by any spelling."""
    code, out, _ = invoke("search", "Əliyev", "--format", "json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["visit-heydar"]
    code, out, _ = invoke("search", "pakistan", "--format", "json")
    assert {r["kind"] for r in json.loads(out)} == {"aid", "event", "agreement"}


def test_show_record_with_citations() -> None:
    """show prints every field and each citation with its source's title."""
    code, out, _ = invoke("show", "ties", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["id"] == "ties"
    assert data["citations"][0] == {
        "source": "alpha",
        "paragraph": 3,
        "title": "Alpha article",
        "author": "A. Writer",
        "publisher": None,
        "published": "2017-01-16",
        "url": None,
    }


def test_show_unknown_id_suggests() -> None:
    """An unknown id exits 1 with did-you-mean suggestions on stderr."""
    code, out, err = invoke("show", "tie")
    assert code == 1 and out == ""
    assert "did you mean 'ties'" in err


def test_nothing_matched_is_success_with_empty_output() -> None:
    """No match exits 0 with only the header in a pipe (TSV), or `[]` for JSON."""
    assert invoke("events", "--year", "1900") == (0, "id\tdate\tcategory\ttitle\tactors\tsources\n", "")
    assert invoke("events", "--year", "1900", "--format", "json")[:2] == (0, "[]\n")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["events", "--year", "abc"], "'abc' is not a year"),
        (["events", "--year", "99999"], "99999"),
        (["events", "--from", "2010", "--to", "2000"], "--from 2010 is after --to 2000"),
        (["events", "--limit", "-1"], "--limit must be 0 or more"),
        (["events", "--category", "vist"], "did you mean 'visit'"),
        (["aid", "--category", "visit"], "unknown category 'visit'"),
        (["events", "--format", "yaml"], "unknown format 'yaml'"),
        (["events", "--fields", "id,colour"], "unknown field 'colour'"),
        (["events", "--sort", "colour"], "unknown sort field 'colour'"),
        (["events", "--source", "gamma"], "unknown source 'gamma'"),
        (["evnts"], "No such command"),
    ],
)
def test_bad_values_exit_2_with_a_reason(args: list[str], fragment: str) -> None:
    """Usage errors exit 2 with the reason on stderr and nothing on stdout."""
    code, out, err = invoke(*args)
    assert code == 2 and out == ""
    assert fragment in err


def test_every_command_help_leads_with_an_example() -> None:
    """Each command's --help shows an example before anything else it says."""
    for command in ("validate", "sources", "events", "aid", "agreements", "search", "show"):
        out = runner.invoke(app, [command, "--help"]).stdout
        body = out.split("\n\n", 1)[1].lstrip()
        assert body.startswith("Examples:"), command
        assert f"relations {command}" in body.split("\n\n")[0]


def test_completion_offers_categories_and_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shell completion completes categories and record ids."""
    from relations_cli.cli.shared import complete_choices, complete_id
    from relations_cli.options import flags_of

    assert complete_choices(flags_of("events")["-c"], "events")("vi") == ["visa", "visit"]
    monkeypatch.setenv("RELATIONS_DATA", str(SMALL))

    class Root:
        """A stand-in for Click's root context."""

        params: ClassVar[dict[str, object]] = {}

        def find_root(self) -> Root:
            """The root is itself."""
            return self

    assert complete_id(Root(), "flood") == ["flood-2010"]  # type: ignore[arg-type]


def test_main_maps_usage_errors_to_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """The console entry point prints one-line reasons and returns the documented codes."""
    assert main(["--data", str(SMALL), "events", "--year", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("relations: error: Invalid value for '--year'")
    assert main(["--data", str(SMALL), "show", "nope"]) == 1
    assert main(["--data", str(SMALL), "validate"]) == 0


def test_environment_variable_selects_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """RELATIONS_DATA is used when --data is absent."""
    monkeypatch.setenv("RELATIONS_DATA", str(SMALL))
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0 and str(SMALL) in result.stdout


def test_pipe_closed_early_ends_quietly() -> None:
    """`relations events | head -1` prints one line and no traceback."""
    command = f"{sys.executable} -m relations_cli --data {SMALL} events | head -1"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
    assert done.stdout.startswith("id\t") and done.stderr == ""


def test_no_arguments_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """`relations` alone shows the usage and the commands on stderr, as a usage error."""
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: relations") and "events" in err and "error:" not in err


@pytest.mark.parametrize("fmt", ["table", "tsv", "json"])
def test_closed_pipe_exits_0_in_every_format(fmt: str, tmp_path: Path) -> None:
    """A reader that stops early ends the command with exit 0 and nothing on stderr, Rich tables included."""
    head, _, _ = SMALL.read_text(encoding="utf-8").partition("[[events]]")
    event = (
        '[[events]]\nid = "e{n}"\ndate = "1999"\ncategory = "visit"\ntitle = "Visit number {n}"\n'
        'summary = "A visit."\nactors = ["pakistan", "azerbaijan", "heydar-aliyev"]\n'
        'sources = [{{ source = "alpha", paragraph = 1 }}]\n\n'
    )
    big = tmp_path / "big.toml"
    big.write_text(head + "".join(event.format(n=n) for n in range(3000)), encoding="utf-8")
    command = (
        f"set -o pipefail; COLUMNS=20 {sys.executable} -m relations_cli --no-cache --data {big} events --format {fmt} "
        "| head -c 1 > /dev/null"
    )
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")


def test_piped_show_spells_out_citations() -> None:
    """Piped `show` gives each citation's source, paragraph, title, author and date."""
    code, out, _ = invoke("show", "ties")
    assert code == 0
    assert "citation\talpha:3\tAlpha article\tA. Writer\t\t2017-01-16\t" in out.splitlines()


def test_show_finds_an_actor_by_one_word_of_the_name() -> None:
    """`show alizada` shows the one actor whose name holds that word; an ambiguous word still suggests ids."""
    result = runner.invoke(app, ["show", "alizada"])
    assert result.exit_code == 0 and result.stdout.startswith("id\tali-alizada\n")
    result = runner.invoke(app, ["show", "sharif"])
    assert result.exit_code == 1 and "nawaz-sharif" in result.stderr and "shehbaz-sharif" in result.stderr


def test_a_month_given_as_a_year_range_points_to_from_and_to() -> None:
    """`--year 2025-05` is refused with the hint to use --from/--to for a month."""
    result = runner.invoke(app, ["events", "--year", "2025-05"])
    assert result.exit_code == 2 and "use --from 2025-05 --to 2025-05" in result.stderr


def test_an_unknown_source_does_not_list_hundreds_of_ids() -> None:
    """An unknown --source names how many sources there are and where to list them, in one short line."""
    result = runner.invoke(app, ["events", "--source", "nosuch"])
    assert result.exit_code == 2
    assert "known; `relations sources` lists them" in result.stderr and len(result.stderr) < 200
