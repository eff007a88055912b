"""Tests of the command-line side of actors, places, disputes and coverage: filters, `actors`, `show`, notes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from relations_cli import __version__, entry
from relations_cli.cli import app as cli
from relations_cli.cli.app import app
from relations_cli.dataset import load
from relations_cli.model import Dataset
from relations_cli.overview import summary
from relations_cli.query import Query, filter_actors, run
from relations_cli.render import to_dict
from tests.conftest import BUNDLED, FIXTURES

ACTORS = FIXTURES / "actors.toml"
runner = CliRunner()
NOTE_3000 = "relations: note: the sources end on 2024-07-12; nothing after that date is known\n"


def invoke(*args: str, columns: int = 200) -> tuple[int, str, str]:
    """Run the app on the actors fixture; return exit code, stdout and stderr."""
    result = runner.invoke(app, ["--data", str(ACTORS), *args], env={"COLUMNS": str(columns)})
    return result.exit_code, result.stdout, result.stderr


def ids(*args: str) -> list[str]:
    """The ids a command prints with --format json."""
    code, out, err = invoke(*args, "--format", "json")
    assert code == 0, err
    return [row["id"] for row in json.loads(out)]


def tsv(out: str) -> list[dict[str, str]]:
    """Tab-separated output as rows by column."""
    return list(csv.DictReader(io.StringIO(out), delimiter="\t"))


@pytest.fixture(scope="module")
def data() -> Dataset:
    """The actors fixture, loaded."""
    return load(ACTORS)


# -- references: --actor, --donor and --recipient ---------------------------------------------


def test_every_alias_finds_its_actor_through_the_filters(data: Dataset) -> None:
    """Each actor's id, name and every alias, in any case, finds exactly the records that refer to it."""
    for actor in data.actors:
        expected = sorted(r.id for r in data.records() if actor.id in r.actor_ids())
        for spelling in actor.spellings():
            for typed in (spelling, spelling.upper()):
                found = ids("events", "--actor", typed) + ids("agreements", "--actor", typed)
                found += ids("aid", "--donor", typed) + ids("aid", "--recipient", typed)
                assert sorted(set(found)) == expected, (actor.id, typed)


def test_actor_filters_are_accent_blind() -> None:
    """An alias typed without its accents (`Ilham Aliyev` for `İlham Əliyev`, `fondu`) still resolves."""
    assert ids("events", "--actor", "ILHAM ƏLIYEV") == ["sharif-visit-baku"]
    assert ids("aid", "--donor", "heydar aliyev fondu") == ["foundation-flood-grant", "foundation-school"]
    assert ids("aid", "--recipient", "azərbaycan") == ["pakistan-grant"]


# -- countries, places, disputes, status ------------------------------------------------------


def test_donor_country_counts_a_foundation_of_that_country() -> None:
    """--donor-country AZ keeps the state's grant and the Azerbaijani foundation's; --donor azerbaijan only one."""
    assert ids("aid", "--donor-country", "AZ") == ["foundation-flood-grant", "state-flood-grant", "foundation-school"]
    assert ids("aid", "--donor", "azerbaijan") == ["state-flood-grant"]
    assert ids("aid", "--donor-country", "az", "--recipient-country", "pk", "--year", "2013") == ["foundation-school"]
    assert ids("aid", "--recipient-country", "AZ") == ["pakistan-grant"]
    assert ids("aid", "--donor-country", "TR") == ["turkiye-grant"]


def test_country_keeps_records_with_a_party_of_that_country() -> None:
    """--country TR keeps every kind of record naming Türkiye; a state's own code counts."""
    found = ids("events", "--country", "TR") + ids("aid", "--country", "TR") + ids("agreements", "--country", "TR")
    assert found == ["trilateral-ankara", "turkiye-grant", "trilateral-declaration"]
    assert ids("aid", "--country", "AZ") == [
        "pakistan-grant",
        "foundation-flood-grant",
        "state-flood-grant",
        "foundation-school",
    ]


def test_country_filter_predicate_on_the_query(data: Dataset) -> None:
    """run() with a country needs the actors: without them no record has a known country."""
    query = Query(kinds=("aid",), donor_country="AZ")
    assert [r.id for r in run(data.records(), query, data.actors)] == [
        "foundation-flood-grant",
        "state-flood-grant",
        "foundation-school",
    ]
    assert run(data.records(), query) == []


@pytest.mark.parametrize("code", ["XX", "Azerbaijan", "A"])
def test_a_country_that_is_not_a_code_is_a_usage_error(code: str) -> None:
    """A value that is not an ISO 3166-1 alpha-2 code exits 2 naming the option."""
    status, out, err = invoke("aid", "--donor-country", code)
    assert status == 2 and out == "" and "country code" in err


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Baku", ["hussain-visit-baku", "sharif-visit-baku"]),
        ("BAKU", ["hussain-visit-baku", "sharif-visit-baku"]),
        ("susa", ["undated-statement"]),
        ("TR", ["trilateral-ankara"]),
        ("ankara", ["trilateral-ankara"]),
        ("Azerbaijan", ["hussain-visit-baku", "sharif-visit-baku", "undated-statement"]),
        ("az", ["hussain-visit-baku", "sharif-visit-baku", "undated-statement"]),
        ("Islamabad", []),
        ("bak", []),
    ],
)
def test_place_matches_city_or_country(place: str, expected: list[str]) -> None:
    """--place matches a city's words, a country code, or the name of the state of that country."""
    assert ids("events", "--place", place) == expected


def test_visits_to_baku_by_pakistani_presidents() -> None:
    """Issue 9's two commands: presidents of Pakistan, and the visits to Baku."""
    code, out, _ = invoke("actors", "--role", "president", "--country", "PK", "--fields", "id,role,role_of")
    assert (code, tsv(out)) == (0, [{"id": "mamnoon-hussain", "role": "President", "role_of": "Pakistan"}])
    assert ids("events", "-c", "visit", "--place", "Baku", "--actor", "mamnoon-hussain") == ["hussain-visit-baku"]


def test_disputed_keeps_records_with_a_dispute() -> None:
    """--disputed keeps only the records listing a dispute, in every listing."""
    assert ids("search", "visit OR grant", "--disputed", "--sort", "id") == [
        "foundation-flood-grant",
        "sharif-visit-baku",
    ]
    assert ids("events", "--disputed") == ["sharif-visit-baku"]
    assert ids("agreements", "--disputed") == []
    code, out, _ = invoke("summary", "--disputed", "--format", "json")
    assert code == 0 and json.loads(out)["records"] == {"events": 1, "aid": 1, "agreements": 0}


def test_status_filters_agreements() -> None:
    """--status takes one or more statuses, case-blind; `in-force` is `in force`; others exit 2."""
    assert ids("agreements", "--status", "signed") == ["energy-mou-2024"]
    assert ids("agreements", "--status", "In-Force,reported", "--sort", "id") == [
        "arms-deal-report",
        "trilateral-declaration",
    ]
    code, _, err = invoke("agreements", "--status", "signd")
    assert code == 2 and "did you mean 'signed'" in err


def test_new_options_take_the_quick_path_and_print_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    """Plain listings with the new filters run without Typer and print exactly what the Typer app prints."""
    for argv in (
        ["aid", "--donor-country", "AZ", "--format", "json"],
        ["events", "--place", "Baku", "--disputed"],
        ["agreements", "--status", "in force", "--country", "TR"],
        ["events", "--year", "3000"],
        ["aid", "--donor-country", "ZZ"],
    ):
        full_argv = ["--data", str(ACTORS), *argv]
        assert entry.parse(full_argv) is not None or "ZZ" in argv
        quick = entry.main(full_argv), *capsys.readouterr()
        full = cli.main(full_argv), *capsys.readouterr()
        assert quick == full, argv


# -- relations actors ---------------------------------------------------------------------------


def test_actors_lists_current_or_last_role_and_records() -> None:
    """Piped, `actors` prints id, name, kind, country, the latest role and its holder, and the record count."""
    code, out, _ = invoke("actors")
    assert code == 0
    assert out.splitlines() == [
        "id\tname\tkind\tcountry\trole\trole_of\trecords",
        "pakistan\tPakistan\tstate\tPK\t\t\t12",
        "azerbaijan\tAzerbaijan\tstate\tAZ\t\t\t10",
        "turkiye\tTürkiye\tstate\tTR\t\t\t3",
        "aliyev-foundation\tHeydar Aliyev Foundation\torganisation\tAZ\t\t\t2",
        "ilham-aliyev\tIlham Aliyev\tperson\tAZ\tPresident\tAzerbaijan\t1",
        "shehbaz-sharif\tShehbaz Sharif\tperson\tPK\tPrime Minister\tPakistan\t1",
        "mamnoon-hussain\tMamnoon Hussain\tperson\tPK\tPresident\tPakistan\t1",
    ]


def test_actors_json_is_every_field() -> None:
    """actors --format json gives each actor whole: aliases, the latest role and every dated, cited role."""
    code, out, _ = invoke("actors", "-s", "shahbaz", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {
            "id": "shehbaz-sharif",
            "name": "Shehbaz Sharif",
            "kind": "person",
            "country": "PK",
            "role": "Prime Minister",
            "role_of": "Pakistan",
            "role_date": "2024-03/..",
            "records": 1,
            "aliases": ["Shahbaz Sharif"],
            "roles": [
                {
                    "title": "Chief Minister of Punjab",
                    "of": "pakistan",
                    "of_name": "Pakistan",
                    "date": "2013/2018",
                    "last_reported": "2020-10-05",
                    "sources": [{"source": "agency-2020", "paragraph": None}],
                },
                {
                    "title": "Prime Minister",
                    "of": "pakistan",
                    "of_name": "Pakistan",
                    "date": "2024-03/..",
                    "last_reported": "2024-07-12",
                    "sources": [{"source": "paper-2024", "paragraph": None}],
                },
            ],
        }
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--kind", "organisation"], ["aliyev-foundation"]),
        (["--kind", "State,organisation", "--country", "az"], ["azerbaijan", "aliyev-foundation"]),
        (["--role", "PRESIDENT"], ["ilham-aliyev", "mamnoon-hussain"]),
        (["--role", "minister"], ["shehbaz-sharif"]),
        (["--role", "chief minister"], ["shehbaz-sharif"]),
        (["-s", "turkey"], ["turkiye"]),
        (["-s", "fondu"], ["aliyev-foundation"]),
        (["-s", "president -pakistan"], ["ilham-aliyev"]),
        (["--role", "ambassador"], []),
    ],
)
def test_actors_filters(args: list[str], expected: list[str]) -> None:
    """--kind, --country, --role (words of any role's title) and -s (names, aliases, roles) all hold."""
    assert ids("actors", *args) == expected


def test_actors_filter_function(data: Dataset) -> None:
    """filter_actors applies the same rules as the command, for code."""
    found = filter_actors(data.actors, kinds=("person",), country="pk", role="president")
    assert [a.id for a in found] == ["mamnoon-hussain"]


def test_actors_usage_errors_and_exit_status() -> None:
    """A bad --kind exits 2 with a suggestion; --exit-status makes no match exit 1; --fields chooses columns."""
    code, _, err = invoke("actors", "--kind", "persn")
    assert code == 2 and "did you mean 'person'" in err
    assert invoke("actors", "--role", "king", "--exit-status")[:2] == (
        1,
        "id\tname\tkind\tcountry\trole\trole_of\trecords\n",
    )
    assert (
        invoke("actors", "--country", "TR", "--fields", "name,country", "-f", "csv")[1] == "name,country\nTürkiye,TR\n"
    )


def test_actors_table_has_a_caption() -> None:
    """On a terminal, actors is a table with a caption of how many matched and the filters."""
    code, out, _ = invoke("actors", "--country", "PK", "--format", "table")
    assert code == 0
    assert "Mamnoon Hussain" in out and "3 of 7 actors · country 'PK'" in out


# -- relations show -----------------------------------------------------------------------------


def test_show_record_json_has_citations_and_last_reported(data: Dataset) -> None:
    """show RECORD --format json: the record, when an open end was last reported, each citation spelled out."""
    code, out, _ = invoke("show", "training-since-2019", "--format", "json")
    record = next(r for r in data.records() if r.id == "training-since-2019")
    citation = {
        "source": "agency-2020",
        "paragraph": None,
        "title": "Statement on the conflict",
        "author": None,
        "publisher": "State Agency",
        "published": "2020-10-05",
        "url": "https://agency.example/2020/10/statement",
    }
    assert code == 0
    assert json.loads(out) == {**to_dict(record), "last_reported": "2020-10-05", "citations": [citation]}


def test_show_record_reads_open_dates_and_disputes_side_by_side() -> None:
    """Piped show: `since 2019, last reported 2020-10-05`; each dispute's readings on one line with their sources."""
    code, out, _ = invoke("show", "training-since-2019")
    assert code == 0 and "date\tsince 2019, last reported 2020-10-05" in out.splitlines()
    code, out, _ = invoke("show", "foundation-flood-grant")
    lines = out.splitlines()
    assert "citation\tarticle:6\tAn article file\tA. Writer\t\t2017-01-16\t" in lines
    assert (
        "dispute\tdonor\tHeydar Aliyev Foundation (aliyev-foundation) [A. Writer, 2017-01-16 [article:6]]"
        "\tAzerbaijan (azerbaijan) [State Agency, 2020-10-05 [agency-2020]]"
    ) in lines


def test_show_record_table_prints_place_status_and_readings() -> None:
    """On a terminal show prints the place, the status, citations with publisher and URL, and readings as columns."""
    code, out, _ = invoke("show", "sharif-visit-baku", "--format", "table")
    assert code == 0
    assert "Baku, AZ" in out and "disputed: date" in out and "Only the paper dates both days." in out
    assert "Daily Paper, “Prime minister in Baku”, 2024-07-12, https://paper.example/2024/visit [paper-2024]" in out
    header = next(line for line in out.splitlines() if "2024-07-10/2024-07-12" in line)
    assert "2024-07-11/2024-07-12" in header  # the two readings side by side
    code, out, _ = invoke("show", "trilateral-declaration", "--format", "table")
    assert "status" in out and "in force" in out
    code, out, _ = invoke("show", "undated-statement", "--format", "table")
    assert out.splitlines()[2].split() == ["date", "undated"]


def test_show_actor_json_gives_roles_and_records_in_date_order(data: Dataset) -> None:
    """show ACTOR --format json: the actor, each role's citations spelled out, then its records by date."""
    code, out, _ = invoke("show", "aliyev-foundation", "--format", "json")
    records = [r for r in data.records() if r.id in ("foundation-flood-grant", "foundation-school")]
    assert code == 0
    assert json.loads(out) == {
        "id": "aliyev-foundation",
        "name": "Heydar Aliyev Foundation",
        "kind": "organisation",
        "country": "AZ",
        "role": None,
        "role_of": None,
        "role_date": None,
        "records": [to_dict(r) for r in records],
        "aliases": ["Hayder Aliyev Foundation", "Heydər Əliyev Fondu"],
        "roles": [],
    }


def test_show_actor_by_name_or_alias_answers_who_is() -> None:
    """show takes an actor's name or alias too; piped it prints fields, roles with citations, then records as TSV."""
    code, out, _ = invoke("show", "İlham Əliyev")
    assert code == 0
    fields, records = out.split("\n\n")
    assert fields.splitlines() == [
        "id\tilham-aliyev",
        "name\tIlham Aliyev",
        "kind\tperson",
        "country\tAZ",
        "aliases\tİlham Əliyev",
        "role\tPresident (Azerbaijan), since 2003-10, last reported 2024-07-12 — Daily Paper, “Prime minister in Baku”,"
        " 2024-07-12, https://paper.example/2024/visit [paper-2024]",
    ]
    assert tsv(records) == [
        {
            "id": "sharif-visit-baku",
            "kind": "event",
            "date": "2024-07-11/2024-07-12",
            "title": "Prime Minister Sharif in Baku",
        }
    ]


def test_show_actor_table_lists_records() -> None:
    """On a terminal, an actor's records follow its fields as a table, with a caption."""
    code, out, _ = invoke("show", "mamnoon-hussain", "--format", "table")
    assert code == 0
    assert "President (Pakistan), 2013-09/2018-09" in out
    assert "hussain-visit-baku" in out and "1 record involving Mamnoon Hussain" in out


def test_show_source_lists_the_records_citing_it(data: Dataset) -> None:
    """show SOURCE: its fields, then the records citing it in date order (JSON: whole)."""
    code, out, _ = invoke("show", "paper-2024", "--format", "json")
    citing = ["energy-mou-2024", "sharif-visit-baku"]
    records = sorted((r for r in data.records() if r.id in citing), key=lambda r: citing.index(r.id))
    assert code == 0
    assert json.loads(out) == {
        "id": "paper-2024",
        "title": "Prime minister in Baku",
        "authors": [],
        "published": "2024-07-12",
        "file": None,
        "publisher": "Daily Paper",
        "url": "https://paper.example/2024/visit",
        "language": "en",
        "kind": "news",
        "notes": None,
        "records": [to_dict(r) for r in records],
    }
    code, out, _ = invoke("show", "paper-2024")
    last = "sharif-visit-baku\tevent\t2024-07-11/2024-07-12\tPrime Minister Sharif in Baku\n"
    assert "publisher\tDaily Paper" in out and out.endswith(last)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("shehbaz-sharf", "shehbaz-sharif"), ("paper-202", "paper-2024"), ("hussain-visit-bak", "hussain-visit-baku")],
)
def test_show_unknown_id_suggests_any_kind_of_id(typed: str, suggested: str) -> None:
    """An unknown id exits 1 and suggests the closest ids of records, actors and sources alike."""
    code, out, err = invoke("show", typed)
    assert (code, out) == (1, "")
    assert err.startswith(f"relations: error: no record, actor or source with id '{typed}'; did you mean '{suggested}'")


def test_show_csv_of_an_actor_is_one_row() -> None:
    """show ACTOR --format csv: one row of the actor's columns."""
    code, out, _ = invoke("show", "turkiye", "--format", "csv")
    assert code == 0 and out.splitlines() == [
        "id,name,kind,country,role,role_of,role_date,records,aliases,roles",
        "turkiye,Türkiye,state,TR,,,,3,Turkey,",
    ]


def test_cite_takes_actor_and_source_ids() -> None:
    """cite ACTOR cites the sources of the records involving it; an unknown id suggests any kind."""
    code, out, _ = invoke("cite", "mamnoon-hussain")
    assert code == 0 and "`article`" in out and "paragraph 3." in out and "agency-2020" not in out
    code, _, err = invoke("cite", "turkiy")
    assert code == 1 and "did you mean 'turkiye'" in err


# -- summary per country ------------------------------------------------------------------------


def test_summary_totals_aid_per_donor_and_recipient_country(data: Dataset) -> None:
    """Per country: currencies never added, the foundation counted for AZ, the unstated amount in its own row."""
    code, out, _ = invoke("summary", "--format", "json")
    result = json.loads(out)
    assert code == 0
    assert result["aid_by_donor_country"] == [
        {"donor_country": "AZ", "pledged": False, "currency": "USD", "total": 1250000, "grants": 2, "undisclosed": 0},
        {"donor_country": "AZ", "pledged": False, "currency": None, "total": None, "grants": 1, "undisclosed": 1},
        {"donor_country": "PK", "pledged": False, "currency": "PKR", "total": 5000000, "grants": 1, "undisclosed": 0},
        {"donor_country": "TR", "pledged": False, "currency": "EUR", "total": 300, "grants": 1, "undisclosed": 0},
    ]
    given = {"pledged": False}
    assert result["aid_by_recipient_country"] == [
        {"recipient_country": "AZ", **given, "currency": "PKR", "total": 5000000, "grants": 1, "undisclosed": 0},
        {"recipient_country": "PK", **given, "currency": "EUR", "total": 300, "grants": 1, "undisclosed": 0},
        {"recipient_country": "PK", **given, "currency": "USD", "total": 1250000, "grants": 2, "undisclosed": 0},
        {"recipient_country": "PK", **given, "currency": None, "total": None, "grants": 1, "undisclosed": 1},
    ]
    assert result == json.loads(json.dumps(summary(data.records(), data.actors)))


def test_summary_without_actors_has_unknown_countries(data: Dataset) -> None:
    """Without the actors, every donor's country is unknown (null), never guessed."""
    rows = summary(data.records())["aid_by_donor_country"]
    assert {row["donor_country"] for row in rows} == {None}
    code, out, _ = invoke("summary", "--format", "table")
    assert code == 0 and "Aid by donor country" in out and "EUR 300" in out


# -- dates and coverage -------------------------------------------------------------------------


def test_a_year_after_the_newest_source_is_noted_on_stderr() -> None:
    """`--year 3000` says where the sources end, on stderr; stdout stays the (empty) result."""
    assert invoke("events", "--year", "3000") == (0, "id\tdate\tcategory\ttitle\tactors\tsources\n", NOTE_3000)
    assert invoke("events", "--year", "3000", "-f", "json") == (0, "[]\n", NOTE_3000)
    assert invoke("summary", "--from", "2024-07-13", "-f", "json")[2] == NOTE_3000
    assert invoke("events", "--year", "2024")[2] == ""
    assert invoke("events", "--year", "2020,3000")[2] == ""
    assert invoke("events", "--to", "3000")[2] == ""


def test_bundled_year_3000_note() -> None:
    """On the bundled data the note names the newest source's date."""
    newest = max(s.published for s in load(BUNDLED).sources if s.published)
    assert newest > "2026"
    result = runner.invoke(app, ["events", "--year", "3000"])
    assert result.stderr == f"relations: note: the sources end on {newest}; nothing after that date is known\n"


def test_undated_records_read_undated_in_tables_and_null_in_json() -> None:
    """A table writes `undated` in the date column; JSON keeps null."""
    code, out, _ = invoke("events", "--format", "table")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("undated-statement"))
    assert row.split()[1] == "undated"
    assert [r["date"] for r in json.loads(invoke("events", "-f", "json")[1]) if r["id"] == "undated-statement"] == [
        None
    ]


def test_caption_counts_undated_records_a_date_filter_leaves_out() -> None:
    """With a year filter the table caption says how many undated records it left out; JSON stays a plain list."""
    code, out, _ = invoke("events", "--year", "2015-2030", "--format", "table")
    assert code == 0 and "4 of 5 events · year 2015–2030 · 1 undated record left out by the date filter" in out
    code, out, _ = invoke("events", "--format", "table")
    assert "left out" not in out
    code, out, _ = invoke("events", "--year", "2015-2030", "--actor", "turkiye", "--format", "table")
    assert "left out" not in out  # the undated statement does not name Türkiye
    code, out, err = invoke("events", "--year", "2015-2030", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == [
        "hussain-visit-baku",
        "training-since-2019",
        "trilateral-ankara",
        "sharif-visit-baku",
    ]
    assert err == ""


def test_sources_list_kind_publisher_date_and_url() -> None:
    """Piped, sources prints id, kind, publisher, published, url and title; JSON every field."""
    code, out, _ = invoke("sources")
    assert code == 0 and out.splitlines() == [
        "id\tkind\tpublisher\tpublished\turl\ttitle",
        "article\t\t\t2017-01-16\t\tAn article file",
        "agency-2020\tagency\tState Agency\t2020-10-05\thttps://agency.example/2020/10/statement"
        "\tStatement on the conflict",
        "paper-2024\tnews\tDaily Paper\t2024-07-12\thttps://paper.example/2024/visit\tPrime minister in Baku",
    ]
    rows: list[dict[str, Any]] = json.loads(invoke("sources", "-f", "json")[1])
    assert [(r["id"], r["records"], r["language"]) for r in rows] == [
        ("article", 6, None),
        ("agency-2020", 5, "en"),
        ("paper-2024", 2, "en"),
    ]


def test_sources_table_ends_with_the_span_of_publication_dates() -> None:
    """The sources table ends with the earliest and latest publication dates."""
    code, out, _ = invoke("sources", "--format", "table")
    assert code == 0 and out.rstrip().splitlines()[-1] == "published 2017-01-16 – 2024-07-12"
    pages = runner.invoke(
        app, ["--data", str(FIXTURES / "pages.toml"), "sources", "-f", "table"], env={"COLUMNS": "200"}
    )
    assert pages.stdout.rstrip().splitlines()[-1] == "published 2017-01-16 – 2024-07 (1 undated)"


def test_version_names_the_fixture_dataset() -> None:
    """--version names the tool, the dataset's meta.version and its newest source date."""
    result = runner.invoke(app, ["--data", str(ACTORS), "--version"])
    assert (result.exit_code, result.stdout) == (
        0,
        f"relations {__version__} (dataset version 7, sources up to 2024-07-12)\n",
    )


# -- completion ---------------------------------------------------------------------------------


def test_completion_of_actors_and_ids() -> None:
    """--actor completes actor ids and names; show completes ids of records, actors and sources, and names."""
    from relations_cli.cli.shared import complete_actor, complete_id

    class Context:
        """The little of Click's context that completion reads."""

        def __init__(self) -> None:
            """Completion reads --data from the context's parameters."""
            self.params = {"data": str(ACTORS)}

        def find_root(self) -> Context:
            """The root context: this one."""
            return self

    ctx: Any = Context()
    assert complete_actor(ctx, "sh") == ["shehbaz-sharif", "Shehbaz Sharif"]
    assert complete_actor(ctx, "tür") == ["turkiye", "Türkiye"]
    assert complete_id(ctx, "pa") == ["pakistan-grant", "pakistan", "paper-2024", "Pakistan"]
    assert complete_id(ctx, "ag") == ["agency-2020"]
