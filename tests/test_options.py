"""Tests of the option table: the Typer app is built from it, and its values behave as documented."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from relations_cli import entry, options
from relations_cli.cli.app import app, main
from relations_cli.cli.shared import complete_choices
from relations_cli.model import AGREEMENT_TYPES, CATEGORIES
from relations_cli.runtime import ExitCode
from tests.conftest import SMALL

runner = CliRunner()
ROOT_COMMAND: Any = typer.main.get_command(app)
CLICK_TYPES = {str: "str", int: "int", Path: "path"}
TYPER_OWN = {"help", "install_completion", "show_completion"}  # options Typer adds itself


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the app on the small fixture; return exit code, stdout and stderr."""
    result = runner.invoke(app, ["--data", str(SMALL), *args])
    return result.exit_code, result.stdout, result.stderr


def click_options(command: Any) -> dict[str, Any]:
    """The options of a Click command by destination, leaving out those Typer adds itself."""
    return {p.name: p for p in command.params if p.param_type_name == "option" and p.name not in TYPER_OWN}


@pytest.mark.parametrize("name", [options.ROOT, *options.COMMANDS])
def test_click_options_are_the_table(name: str) -> None:
    """Each Typer command has exactly the table's options, with their flags, type, multiplicity and metavar."""
    command = ROOT_COMMAND if name == options.ROOT else ROOT_COMMAND.commands[name]
    found = click_options(command)
    table = {o.dest: o for o in options.options_for(name)}
    assert set(found) == set(table)
    for dest, option in table.items():
        param = found[dest]
        assert sorted(param.opts + param.secondary_opts) == sorted(option.flags), dest
        assert param.multiple == option.repeatable, dest
        assert param.is_flag == option.is_flag, dest
        if option.is_flag:
            continue
        assert param.metavar == option.metavar, dest
        if option.convert is not None:
            assert param.type.func.convert is option.convert, dest
        else:
            assert param.type.name == CLICK_TYPES[option.type], dest


def test_every_command_is_registered_once() -> None:
    """The app's commands are exactly the table's commands, and no command takes a flag twice."""
    assert set(ROOT_COMMAND.commands) == set(options.COMMANDS)
    for name in [options.ROOT, *options.COMMANDS]:
        flags = [f for o in options.options_for(name) for f in o.flags]
        dests = [o.dest for o in options.options_for(name)]
        assert len(flags) == len(set(flags)) and len(dests) == len(set(dests)), name


def test_query_destinations_name_query_fields() -> None:
    """Options that filter go into the Query field of their name, so a filter is one row plus its query code."""
    from relations_cli.query import Query
    from relations_cli.runtime import QUERY_FIELDS

    filters = {o.dest for o in options.options_for("search")} & QUERY_FIELDS
    assert filters == {"years", "date_from", "date_to", "categories", "types", "actor", "donor", "recipient"} | {
        "source",
        "country",
        "donor_country",
        "recipient_country",
        "place",
        "disputed",
        "statuses",
        "sort",
        "limit",
    }
    assert all(name in Query.__dataclass_fields__ for name in filters)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015", (2015,)),
        ("2015,2016", (2015, 2016)),
        ("2015-2017", (2015, 2016, 2017)),
        ("1992, 2015-2016,1992", (1992, 2015, 2016)),
    ],
)
def test_years_take_lists_and_ranges(text: str, expected: tuple[int, ...]) -> None:
    """--year takes one year, a comma list, and ranges, without repeats."""
    assert options.years(text) == expected


@pytest.mark.parametrize("text", ["abc", "0", "2017-2015", "2015-", "99999", "-5"])
def test_bad_years_are_refused(text: str) -> None:
    """A value that is not a year or an ordered range is refused with a reason."""
    with pytest.raises(ValueError, match=r"year|range"):
        options.years(text)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2015", date(2015, 1, 1), date(2015, 12, 31)),
        ("2015-02", date(2015, 2, 1), date(2015, 2, 28)),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29)),
        ("2015-03-11", date(2015, 3, 11), date(2015, 3, 11)),
        ("800", date(800, 1, 1), date(800, 12, 31)),
    ],
)
def test_date_bounds_cover_what_was_given(text: str, first: date, last: date) -> None:
    """--from starts on the first day of a year, month or day; --to ends on its last day."""
    assert (options.date_from(text), options.date_to(text)) == (first, last)


@pytest.mark.parametrize("text", ["2015-13", "2015-02-30", "x", "2015/2016", "0"])
def test_bad_dates_are_refused(text: str) -> None:
    """A value that is not YYYY, YYYY-MM or YYYY-MM-DD, or not a real day, is refused."""
    with pytest.raises(ValueError, match=text.split("-")[0] if text != "0" else "year"):
        options.date_from(text)


def test_choices_are_case_blind() -> None:
    """-c Visit, -f JSON and --fields ID are the lowercase values."""
    code, out, _ = invoke("events", "-c", "Visit", "-f", "JSON", "--fields", "ID,Date")
    assert code == 0 and json.loads(out) == [{"id": "visit-heydar", "date": "1996-04"}]


def test_comma_lists_and_year_ranges_on_the_command_line() -> None:
    """-c a,b and -y 2010,2011 or 1992-1993 select any of the values."""
    code, out, _ = invoke("events", "-c", "visit,training", "-f", "json", "--fields", "id")
    assert code == 0 and json.loads(out) == [{"id": "training-since"}, {"id": "visit-heydar"}]
    code, out, _ = invoke("aid", "-y", "2010,2011", "-f", "json", "--fields", "id")
    assert json.loads(out) == [{"id": "flood-2010"}, {"id": "euro-gift"}]
    _, by_range, _ = invoke("aid", "-y", "2010-2011", "-f", "json", "--fields", "id")
    assert by_range == out


def test_from_and_to_take_months_and_days() -> None:
    """--from 2015-03 --to 2015-03-11 keeps a record dated 2015-03-11/2015-03-14; --from 2015-04 drops it."""
    code, out, _ = invoke("agreements", "--from", "2015-03", "--to", "2015-03-11", "-f", "json", "--fields", "id")
    assert code == 0 and json.loads(out) == [{"id": "declaration-2015"}]
    code, out, _ = invoke("agreements", "--from", "2015-04", "-f", "json", "--fields", "id")
    assert code == 0 and json.loads(out) == []


def test_agreements_filter_by_type() -> None:
    """agreements --type takes repeats and comma lists, case-blind; an unknown type exits 2 with a suggestion."""
    code, out, _ = invoke("agreements", "--type", "Declaration,aggregate", "-f", "json", "--fields", "id,type")
    assert code == 0
    assert json.loads(out) == [
        {"id": "declaration-2015", "type": "declaration"},
        {"id": "many-agreements", "type": "aggregate"},
    ]
    code, out, err = invoke("agreements", "--type", "memorandm")
    assert code == ExitCode.USAGE and out == "" and "did you mean 'memorandum'" in err


def test_completion_offers_only_the_commands_own_values() -> None:
    """Completion of -c offers the categories of the command's kinds; --type offers agreement types."""
    events_c = complete_choices(options.flags_of("events")["-c"], "events")("")
    assert events_c == sorted(CATEGORIES["event"])
    assert "economic" not in complete_choices(options.flags_of("aid")["-c"], "aid")("")
    assert complete_choices(options.flags_of("agreements")["--type"], "agreements")("") == list(AGREEMENT_TYPES)
    assert complete_choices(options.flags_of("agreements")["--type"], "agreements")("MEM") == ["memorandum"]
    assert "--type" not in options.flags_of("events") and "--type" not in options.flags_of("aid")


def test_global_options_work_after_the_command(tmp_path: Path) -> None:
    """--data and --no-cache are taken after the command too, by both entry points."""
    result = runner.invoke(app, ["events", "--data", str(SMALL), "--no-cache", "-f", "json", "--fields", "id"])
    assert result.exit_code == 0 and {"id": "ties"} in json.loads(result.stdout)
    parsed = entry.parse(["events", "--data", str(SMALL), "--no-cache"])
    assert parsed is not None and parsed.values["data"] == SMALL and parsed.values["no_cache"] is True
    missing = tmp_path / "missing.toml"
    result = runner.invoke(app, ["--data", str(SMALL), "validate", "--data", str(missing)])
    assert result.exit_code == ExitCode.DATASET_ERROR and "missing.toml" in result.stderr


@pytest.mark.parametrize(
    ("flag", "meant"),
    [
        ("--json", "--format json"),
        ("--csv", "--format csv"),
        ("--tsv", "--format tsv"),
        ("--jsonl", "--format jsonl"),
        ("--markdown", "--format markdown"),
    ],
)
def test_idioms_from_other_tools_get_the_option(flag: str, meant: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An option spelled as other tools spell it exits 2 and names this tool's spelling."""
    assert main(["--data", str(SMALL), "events", flag]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"relations: error: No such option: {flag}; did you mean {meant}?\n")


def test_idioms_only_where_the_value_exists() -> None:
    """export has no --format json-lines, so --jsonl gets no idiom there; --sqlite does."""
    assert options.idiom("export", "--jsonl") is None
    assert options.idiom("export", "--sqlite") == "--format sqlite"
    assert options.idiom("show", "--JSON") == "--format json"


@pytest.mark.parametrize(
    "args",
    [
        ["events", "--year", "1900"],
        ["aid", "--donor", "nobody"],
        ["agreements", "--type", "commission"],
        ["search", "nothing-like-this"],
        ["timeline", "--year", "1900", "-f", "tsv"],
        ["categories", "--year", "1900"],
        ["summary", "--year", "1900"],
        ["cite", "--year", "1900"],
    ],
)
def test_exit_status_flag_makes_nothing_matched_exit_1(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """With --exit-status nothing matched exits 1 through both entry points; without it, 0."""
    argv = ["--data", str(SMALL), *args]
    assert entry.main(argv) == ExitCode.OK
    assert entry.main([*argv, "--exit-status"]) == ExitCode.NO_MATCH
    assert main([*argv, "--exit-status"]) == ExitCode.NO_MATCH
    assert entry.main(["--data", str(SMALL), "events", "--exit-status"]) == ExitCode.OK
    capsys.readouterr()


def test_exit_status_keeps_machine_output() -> None:
    """With --exit-status and nothing matched, JSON still prints [] and CSV its header."""
    assert invoke("events", "--year", "1900", "-f", "json", "--exit-status")[:2] == (1, "[]\n")


def test_sources_take_every_source_field() -> None:
    """sources --fields takes each field of a source, notes and url included."""
    code, out, _ = invoke("sources", "--fields", "id,publisher,url,file,notes,records", "-f", "json")
    rows = json.loads(out)
    assert code == 0 and [set(r) for r in rows] == [{"id", "publisher", "url", "file", "notes", "records"}] * 2
    code, _, err = invoke("sources", "--fields", "id,colour")
    assert code == ExitCode.USAGE and "unknown field 'colour'" in err


def test_search_takes_several_words() -> None:
    """search takes its words as separate arguments, through both entry points alike."""
    code, out, _ = invoke("search", "heydar", "visit", "-f", "json", "--fields", "id")
    assert code == 0 and json.loads(out) == [{"id": "visit-heydar"}]
    parsed = entry.parse(["search", "heydar", "visit", "-f", "json"])
    assert parsed is not None and parsed.words == ["heydar", "visit"]


def test_exit_codes_are_named_once() -> None:
    """The exit codes are 0, 1, 2 and 130, with 1 named for each way a command can fail."""
    assert [int(ExitCode.OK), int(ExitCode.USAGE), int(ExitCode.INTERRUPTED)] == [0, 2, 130]
    assert {int(ExitCode.DATASET_ERROR), int(ExitCode.NOT_FOUND), int(ExitCode.NO_MATCH)} == {1}


def test_the_private_typer_import_lives_in_one_place() -> None:
    """Only cli/app.py imports a private Typer module."""
    package = Path(__file__).parent.parent / "relations_cli"
    users = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py") if "typer._" in p.read_text())
    assert users == ["cli/app.py"]
