"""Tests of the output formats: each parses back to the same records."""

from __future__ import annotations

import csv
import io
import json

import pytest

from relations_cli.dataset import printable
from relations_cli.model import Dataset
from relations_cli.render import (
    DEFAULT_FIELDS,
    Listing,
    amount_text,
    fields_of,
    interval_lines,
    json_members,
    render,
    render_json,
    shaped_json,
    to_dict,
    write_json_objects,
)


def listing(dataset: Dataset, kinds: tuple[str, ...] = ("aid",), fields: tuple[str, ...] | None = None) -> Listing:
    """A listing of the fixture's records of some kinds."""
    rows = [to_dict(r) for r in dataset.records() if r.kind in kinds]
    return Listing(rows, fields or fields_of(kinds), "records", len(rows))


def rendered(item: Listing, fmt: str) -> str:
    """A listing rendered to a string."""
    out = io.StringIO()
    render(item, fmt, out)
    return out.getvalue()


def test_json_shape_is_the_documented_one(small: Dataset) -> None:
    """JSON records carry the common fields, then the kind's own, with raw values."""
    data = json.loads(rendered(listing(small), "json"))
    covid = next(d for d in data if d["id"] == "covid-aid")
    assert covid == {
        "id": "covid-aid",
        "kind": "aid",
        "date": None,
        "category": "pandemic-relief",
        "title": "Pandemic aid",
        "summary": "Aid against the virus, amount not given.",
        "sources": [{"source": "beta", "paragraph": 3}],
        "notes": None,
        "aliases": [],
        "disputes": [],
        "donor": "Azerbaijan",
        "recipient": "Pakistan",
        "donor_id": "azerbaijan",
        "recipient_id": "pakistan",
        "amount": None,
        "currency": None,
        "purpose": "pandemic relief",
        "status": None,
    }


def test_jsonl_is_one_object_a_line(small: Dataset) -> None:
    """JSON Lines holds the same objects as JSON, one a line."""
    item = listing(small, ("event", "aid", "agreement"))
    lines = rendered(item, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == json.loads(rendered(item, "json"))


def test_csv_and_tsv_parse_back(small: Dataset) -> None:
    """CSV and TSV read back with the csv module to the chosen columns."""
    item = listing(small, fields=("id", "amount", "sources"))
    rows = list(csv.DictReader(io.StringIO(rendered(item, "csv"))))
    assert rows[0] == {"id": "grant-early", "amount": "1000000", "sources": "alpha:9"}
    tsv = list(csv.DictReader(io.StringIO(rendered(item, "tsv")), delimiter="\t"))
    assert tsv == rows


def test_fields_choose_and_order_columns(small: Dataset) -> None:
    """Only the chosen fields appear, in the chosen order, in every format."""
    item = listing(small, fields=("title", "id"))
    assert list(json.loads(rendered(item, "json"))[0]) == ["title", "id"]
    assert rendered(item, "tsv").splitlines()[0] == "title\tid"
    assert rendered(item, "markdown").splitlines()[0] == "| title | id |"


def test_markdown_escapes_pipes(small: Dataset) -> None:
    """A pipe in a value cannot break the Markdown table."""
    item = Listing([{"id": "a|b"}], ("id",))
    assert rendered(item, "markdown").splitlines()[2] == "| a\\|b |"


def test_empty_listing_prints_headers_and_an_empty_array() -> None:
    """Nothing matched: CSV, TSV and Markdown print their header, JSON `[]`, JSON lines and tables nothing."""
    empty = Listing([], ("id", "date"))
    assert rendered(empty, "json") == "[]\n"
    assert rendered(empty, "csv") == "id,date\n"
    assert rendered(empty, "tsv") == "id\tdate\n"
    assert rendered(empty, "markdown") == "| id | date |\n|---|---|\n"
    assert rendered(empty, "jsonl") == rendered(empty, "table") == ""


@pytest.mark.parametrize("fmt", ["csv", "tsv", "markdown"])
def test_empty_output_keeps_its_header_through_the_cli(fmt: str) -> None:
    """`relations aid --year 1900 -f csv` prints the default aid header, currency included."""
    from tests.test_cli import invoke

    code, out, _ = invoke("aid", "--year", "1900", "-f", fmt)
    header = ("id", "date", "donor", "recipient", "amount", "currency", "purpose", "sources")
    expected = {"csv": ",".join(header), "tsv": "\t".join(header), "markdown": "| " + " | ".join(header) + " |"}
    assert code == 0 and out.splitlines()[0] == expected[fmt]
    assert len(out.splitlines()) == (2 if fmt == "markdown" else 1)


def test_currency_is_a_default_aid_column_in_every_format(small: Dataset) -> None:
    """Aid lists their currency by default, so sums in a script never mix currencies."""
    assert "currency" in DEFAULT_FIELDS["aid"]
    item = listing(small, fields=DEFAULT_FIELDS["aid"])
    assert rendered(item, "tsv").splitlines()[0].split("\t")[5] == "currency"
    assert {row["currency"] for row in csv.DictReader(io.StringIO(rendered(item, "csv")))} == {"USD", "EUR", ""}
    assert "currency" in rendered(item, "markdown").splitlines()[0]


def test_markdown_writes_amounts_as_the_table_does(small: Dataset) -> None:
    """Markdown shows `US$ 1,000,000` and `not stated`; CSV and TSV keep the raw number."""
    item = listing(small, fields=("id", "amount", "currency"))
    lines = rendered(item, "markdown").splitlines()
    assert "| flood-2010 | US$ 1,000,000 | USD |" in lines
    assert "| covid-aid | not stated |  |" in lines
    assert "| euro-gift | EUR 500 | EUR |" in lines
    assert "flood-2010\t1000000\tUSD" in rendered(item, "tsv").splitlines()
    assert "flood-2010,1000000,USD" in rendered(item, "csv").splitlines()


def test_amounts_read_like_money() -> None:
    """Tables show `US$ 1,000,000`, other codes by name, and 'not stated' for none."""
    assert amount_text(1000000, "USD") == "US$ 1,000,000"
    assert amount_text(500, "EUR") == "EUR 500"
    assert amount_text(None, None) == "not stated"


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "markdown"])
def test_control_characters_never_reach_the_terminal(fmt: str) -> None:
    """Escape, BEL and bidi overrides are shown escaped; markup is shown as typed."""
    hostile = {"id": "x", "title": "[bold red]boom[/] \x1b[31mred\x07 \u202eevil"}
    out = rendered(Listing([hostile], ("id", "title")), fmt)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[31mred\\x07" in out.replace("\n", "") or "\\x1b" in out
    if fmt == "table":
        assert "[bold red]boom[/]" in out


def test_json_round_trips_control_characters() -> None:
    """JSON escapes control characters its own way and reads them back exactly."""
    title = "bell\x07 esc\x1b[0m"
    out = rendered(Listing([{"id": "x", "title": title}], ("id", "title")), "json")
    assert "\x1b" not in out
    assert json.loads(out)[0]["title"] == title


def test_printable_leaves_ordinary_text_alone() -> None:
    """Curly quotes, accents and Azerbaijani letters pass through untouched."""
    assert printable("“Heydər” Muzaffarabad – ok") == "“Heydər” Muzaffarabad – ok"


def test_table_fits_width_and_loses_no_text(small: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    """At any width, table lines fit, ids stay whole, and each column is shown or named as not shown."""
    item = listing(small, ("aid",), DEFAULT_FIELDS["aid"])
    for width in (30, 60, 80, 120, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        out = rendered(item, "table")
        assert max(len(line) for line in out.splitlines()) <= width
        words = out.split()
        for row in item.rows:
            assert row["id"] in words
        flat = "".join(words)
        hidden = flat.partition("notshown")[2]
        for name in item.fields:
            assert name in words[: len(item.fields)] or name in hidden, (width, name)
        if "amount" in words[: len(item.fields)]:
            assert "US$" in out and "notstated" in flat


@pytest.mark.parametrize("width", [60, 80, 100, 120, 200])
@pytest.mark.parametrize("kinds", [("event",), ("aid",), ("agreement",), ("event", "aid", "agreement")])
def test_table_never_cuts_an_id_or_a_date(width: int, kinds: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """On the bundled data at 60 to 200 columns, every id and every date is printed whole on one line.

    A date interval may go on two lines, broken after its `/`: each of its dates stays whole.
    """
    from relations_cli.dataset import load
    from tests.conftest import BUNDLED

    records = [r for r in load(BUNDLED).records() if r.kind in kinds]
    fields = DEFAULT_FIELDS[kinds[0] if len(kinds) == 1 else "all"]
    monkeypatch.setenv("COLUMNS", str(width))
    out = rendered(Listing([to_dict(r) for r in records], fields, "records", len(records)), "table")
    cells = {word for line in out.splitlines() for word in line.split()}
    for record in records:
        assert record.id in cells, (width, record.id)
        if record.date_text is not None:
            whole = record.date_text in cells
            broken = all(part in cells for part in interval_lines(record.date_text))
            assert whole or broken, (width, record.date_text)
    assert max(len(line) for line in out.splitlines()) <= width


def test_columns_chosen_with_fields_are_never_dropped(small: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --fields, a table too narrow for the chosen columns shows blocks rather than drop one."""
    monkeypatch.setenv("COLUMNS", "40")
    item = listing(small, ("aid",), ("id", "date", "purpose", "sources"))
    dropped = rendered(item, "table")
    assert "not shown" in dropped and "sources" in dropped.split("not shown")[1]
    item.fixed = True
    blocks = rendered(item, "table")
    assert "not shown" not in blocks and blocks.count("sources ") == len(item.rows)


def test_json_members_put_back_together_are_the_json_of_every_record(small: Dataset) -> None:
    """Each record's stored members, shaped for each listing it can be in, are what render_json prints for it."""
    for kinds in (("event",), ("aid",), ("agreement",), ("event", "aid", "agreement"), ("aid", "agreement")):
        for fields in (fields_of(kinds), ("status", "id", "kind"), ("title",)):
            for record in (r for r in small.records() if r.kind in kinds):
                expected = io.StringIO()
                render_json(Listing([to_dict(record)], fields), expected)
                text = shaped_json(json_members(record).encode("utf-8"), record.kind, fields).decode("utf-8")
                assert f"[\n  {text}\n]\n" == expected.getvalue()


def test_shaped_json_refuses_members_of_another_kind(small: Dataset) -> None:
    """Members that do not fit the kind (a damaged copy) raise ValueError rather than print a wrong object."""
    event = next(r for r in small.records() if r.kind == "event")
    with pytest.raises(ValueError, match="not the JSON members"):
        shaped_json(json_members(event).encode("utf-8"), "aid", fields_of(("aid",)))


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "latin-1"])
def test_stored_objects_are_written_to_any_text_stream(encoding: str) -> None:
    """A UTF-8 stream gets the bytes through its buffer, another stream the decoded text: the same document."""
    texts = [b'{\n    "title": "Caf\xc3\xa9"\n  }', b'{\n    "title": null\n  }']
    wrapped = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    wrapped.write("")
    write_json_objects(texts, wrapped)
    wrapped.flush()
    data = wrapped.buffer.getvalue()
    assert json.loads(data.decode(encoding)) == [{"title": "Café"}, {"title": None}]
    plain = io.StringIO()
    write_json_objects(texts, plain)
    assert plain.getvalue() == data.decode(encoding)
    write_json_objects([], plain)
    assert plain.getvalue().endswith("]\n[]\n")
