"""Tests of the overviews: the timeline chart, aid totals, category counts, and their commands."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from relations_cli.cli.app import app
from relations_cli.dataset import load
from relations_cli.model import (
    AGREEMENT_TYPES,
    CATEGORIES,
    KINDS,
    TABLE_OF_KIND,
    Aid,
    Citation,
    Dataset,
    Event,
    Record,
    parse_date,
)
from relations_cli.overview import (
    ASCII_GLYPHS,
    SUMMARY_COLUMNS,
    UNICODE_GLYPHS,
    bin_size,
    bins,
    category_counts,
    chart_lines,
    split_dated,
    start_year,
    summary,
    summary_rows,
    vocabulary_counts,
)
from relations_cli.query import Query, run
from relations_cli.render import fields_of, to_dict
from tests.conftest import BUNDLED, FIXTURES, SMALL

runner = CliRunner()
WIDTHS = (30, 80, 200)


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the app on the small fixture; return exit code, stdout and stderr."""
    result = runner.invoke(app, ["--data", str(SMALL), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def event(ident: str, when: str | None) -> Event:
    """A minimal event dated `when`."""
    return Event(
        id=ident,
        date=parse_date(when) if when else None,
        category="visit",
        title=ident,
        summary=ident,
        sources=(Citation("alpha", 1),),
        actors=("Pakistan",),
    )


def grant(ident: str, when: str | None, amount: int | None = None, currency: str | None = None) -> Aid:
    """A minimal aid record."""
    return Aid(
        id=ident,
        date=parse_date(when) if when else None,
        category="humanitarian",
        title=ident,
        summary=ident,
        sources=(Citation("alpha", 1),),
        donor="Azerbaijan",
        recipient="Pakistan",
        purpose="relief",
        amount=amount,
        currency=currency,
    )


def bar_lines(lines: list[str], rule: str = "│") -> dict[str, str]:
    """The bars of a chart by label: what follows the rule, count included."""
    return {line.split(f" {rule}")[0].strip(): line.split(f" {rule}", 1)[1] for line in lines if f" {rule}" in line}


# ---------------------------------------------------------------------------
# The chart
# ---------------------------------------------------------------------------


def test_start_year_is_where_an_interval_begins() -> None:
    """A record dated 1992/1993 counts in 1992; an open start counts in its end year; undated in none."""
    assert start_year(grant("a", "1992/1993")) == 1992
    assert start_year(grant("b", "../1995")) == 1995
    assert start_year(grant("c", "1993/..")) == 1993
    assert start_year(grant("d", None)) is None


def test_split_dated_orders_by_date_and_sets_undated_apart(small: Dataset) -> None:
    """Dated records come back in date order, undated ones apart."""
    dated, undated = split_dated(small.records())
    assert [r.date.first for r in dated if r.date] == sorted(r.date.first for r in dated if r.date)
    assert {r.id for r in undated} == {r.id for r in small.records() if r.date is None}
    assert len(dated) + len(undated) == len(small.records())


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_fits_width_and_counts_every_dated_record(small: Dataset, width: int) -> None:
    """At each width no line is too long; bars count each kind per year exactly as the fixture has them."""
    dated, undated = split_dated(small.records())
    lines = chart_lines(dated, width, undated=len(undated))
    assert lines and all(len(line) <= width for line in lines)
    bars = bar_lines(lines)
    expected = Counter((start_year(r), r.kind) for r in dated)
    years = [y for y, _ in expected if y is not None]
    assert list(bars) == [str(y) for y in range(min(years), max(years) + 1)]
    for year, bar in bars.items():
        for kind in KINDS:
            assert bar.count(UNICODE_GLYPHS[kind]) == expected[(int(year), kind)]
        total = sum(expected[(int(year), k)] for k in KINDS)
        assert bar.endswith(f" {total}") if total else bar == ""
    legend = next(line for line in lines if "events" in line)
    assert all(f"{UNICODE_GLYPHS[k]} {TABLE_OF_KIND[k]}" in legend for k in KINDS)
    assert lines[-2:] == ["each glyph = 1 record", f"{len(undated)} undated records not shown"]


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_of_the_bundled_dataset_fits(width: int) -> None:
    """The real dataset charts within each width, and the bar counts add up to its dated records."""
    dated, undated = split_dated(load(BUNDLED).records())
    lines = chart_lines(dated, width, undated=len(undated))
    assert all(len(line) <= width for line in lines)
    assert sum(int(bar.rsplit(" ", 1)[1]) for bar in bar_lines(lines).values() if bar) == len(dated)


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_scales_long_bars_and_keeps_every_kind_visible(width: int) -> None:
    """A year with more records than room is scaled down; every kind present still shows, lines fit."""
    records: list[Record] = [event(f"e{i}", "2010") for i in range(300)]
    records += [grant("g1", "2010"), grant("g2", "2011")]
    lines = chart_lines(records, width)
    assert all(len(line) <= width for line in lines)
    bars = bar_lines(lines)
    assert bars["2010"].endswith(" 301") and bars["2011"].endswith(" 1")
    assert UNICODE_GLYPHS["aid"] in bars["2010"] and UNICODE_GLYPHS["event"] in bars["2010"]
    assert bars["2010"].count(UNICODE_GLYPHS["event"]) < 300
    assert any(line.startswith("each glyph ≈ ") for line in lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_wide_range_is_binned_into_periods(width: int) -> None:
    """Records spread over 120 years are drawn per 5 years, spans aligned, in ASCII when asked."""
    records: list[Record] = [event("old", "1901"), event("mid", "1957-03"), grant("new", "2020")]
    assert bin_size(1901, 2020) == 5
    lines = chart_lines(records, width, ascii_only=True)
    assert all(len(line) <= width and line.isascii() for line in lines)
    bars = bar_lines(lines, "|")
    assert next(iter(bars)) == "1900-1904" and list(bars)[-1] == "2020-2024"
    assert len(bars) == (2020 - 1900) // 5 + 1
    assert bars["1955-1959"] == f"{ASCII_GLYPHS['event']} 1"
    assert bars["2020-2024"] == f"{ASCII_GLYPHS['aid']} 1"


def test_bins_take_a_fixed_span() -> None:
    """An explicit span groups years from multiples of it and keeps empty spans."""
    spans = bins([event("a", "1992"), event("b", "1999"), grant("c", "2003/2004")], 10)
    assert [(b.first, b.last, dict(b.counts)) for b in spans] == [
        (1990, 1999, {"event": 2}),
        (2000, 2009, {"aid": 1}),
    ]


def test_chart_without_dated_records_says_so() -> None:
    """Nothing dated: one sentence and the undated count, still within the width."""
    assert chart_lines([event("x", None)], 30, undated=1) == [
        "No dated records to chart.",
        "1 undated record not shown",
    ]


# ---------------------------------------------------------------------------
# Totals and counts
# ---------------------------------------------------------------------------


def test_aid_totals_never_add_currencies_or_count_undisclosed_as_zero(small: Dataset) -> None:
    """Totals per donor, recipient and currency equal the fixture's sums; undisclosed grants sit apart."""
    totals = summary(small.records())["aid_totals"]
    expected: dict[tuple[str, str, str | None], list[int]] = {}
    for aid in small.aid:
        key = (aid.donor_name, aid.recipient_name, aid.currency if aid.amount is not None else None)
        expected.setdefault(key, []).append(aid.amount or 0)
    undisclosed = Counter((a.donor_name, a.recipient_name) for a in small.aid if a.amount is None)
    assert {a.currency for a in small.aid if a.currency} == {"USD", "EUR"} and undisclosed  # the fixture has both
    got = {(r["donor"], r["recipient"], r["currency"]): r for r in totals}
    assert set(got) == set(expected)
    for key, amounts in expected.items():
        row = got[key]
        assert set(row) == {"donor", "recipient", "pledged", "currency", "total", "grants", "undisclosed"}
        assert row["pledged"] is False  # the fixture states no pledge
        assert row["grants"] == len(amounts)
        if key[2] is None:
            assert row["total"] is None and row["undisclosed"] == undisclosed[key[:2]]
        else:
            assert row["total"] == sum(amounts) and row["undisclosed"] == 0
    assert sum(r["grants"] for r in totals) == len(small.aid)


def test_aid_by_year_counts_an_interval_in_its_first_year(small: Dataset) -> None:
    """Aid dated 1992/1993 counts in 1992 only; undated aid counts under year null."""
    rows = summary(small.records())["aid_by_year"]
    interval = next(a for a in small.aid if a.date and "/" in a.date.text)
    assert interval.date is not None
    first, last = interval.date.first.year, interval.date.last.year
    assert first != last
    assert any(r["year"] == first and r["total"] == interval.amount for r in rows)
    assert not any(r["year"] == last for r in rows)
    undated = [a for a in small.aid if a.date is None]
    assert sum(r["grants"] for r in rows if r["year"] is None) == len(undated)
    for row in rows:  # one currency per row, its sum
        same = [a for a in small.aid if start_year(a) == row["year"] and a.amount is not None]
        if row["currency"] is not None:
            assert row["total"] == sum(a.amount or 0 for a in same if a.currency == row["currency"])


def test_aid_by_purpose_groups_by_category(small: Dataset) -> None:
    """aid_by_purpose is keyed by the aid category, one row per category and currency."""
    rows = summary(small.records())["aid_by_purpose"]
    assert {r["purpose"] for r in rows} == {a.category for a in small.aid}
    assert sum(r["grants"] for r in rows) == len(small.aid)


def test_counts_of_events_and_agreements(small: Dataset) -> None:
    """Events per category and agreements per type match the fixture, most frequent first."""
    data = summary(small.records())
    assert {r["category"]: r["count"] for r in data["events_by_category"]} == Counter(e.category for e in small.events)
    assert {r["type"]: r["count"] for r in data["agreements_by_type"]} == Counter(a.type for a in small.agreements)
    counts = [r["count"] for r in data["events_by_category"]]
    assert counts == sorted(counts, reverse=True)


def test_category_counts_include_zeros(small: Dataset) -> None:
    """Every category of every kind is listed, zeros included, and the counts add up to the records."""
    rows = category_counts(small.records())
    assert [(r["kind"], r["category"]) for r in rows] == [(k, c) for k in KINDS for c in CATEGORIES[k]]
    assert sum(r["count"] for r in rows) == len(small.records())
    assert any(r["count"] == 0 for r in rows)
    assert Counter({(r["kind"], r["category"]): r["count"] for r in rows if r["count"]}) == Counter(
        (r.kind, r.category) for r in small.records()
    )


def test_summary_rows_flatten_every_section(small: Dataset) -> None:
    """The tidy rows hold every line of every section, under the fixed columns."""
    data = summary(small.records())
    rows = summary_rows(data)
    sections = (
        "aid_totals",
        "aid_by_donor_country",
        "aid_by_recipient_country",
        "aid_by_year",
        "aid_by_purpose",
        "events_by_category",
        "agreements_by_type",
    )
    assert len(rows) == sum(len(data[s]) for s in sections)
    assert all(tuple(row) == SUMMARY_COLUMNS for row in rows)


# ---------------------------------------------------------------------------
# The commands
# ---------------------------------------------------------------------------


def test_summary_json_is_one_object(small: Dataset) -> None:
    """The summary command with --format json prints the summary object, parsed back whole."""
    code, out, err = invoke("summary", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(json.dumps(summary(small.records(), small.actors)))


def test_summary_takes_filters(small: Dataset) -> None:
    """The summary command with --donor covers only that donor's aid."""
    code, out, _ = invoke("summary", "--donor", "pakistan", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert {r["donor"] for r in data["aid_totals"]} == {"Pakistan"}
    assert data["records"] == {"events": 0, "aid": sum(a.donor == "pakistan" for a in small.aid), "agreements": 0}


def test_summary_csv_reads_back_as_tidy_rows(small: Dataset) -> None:
    """The summary command with --format csv parses back to the tidy rows, nulls as empty cells."""
    code, out, _ = invoke("summary", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = [
        {k: "" if v is None else str(v) for k, v in row.items()}
        for row in summary_rows(summary(small.records(), small.actors))
    ]
    assert code == 0 and rows == expected


def test_summary_table_shows_amounts_with_currency(small: Dataset) -> None:
    """The table shows US$ amounts with separators, EUR apart, and 'not stated' for undisclosed grants."""
    code, out, _ = invoke("summary", "--format", "table", env={"COLUMNS": "100"})
    assert code == 0
    assert "US$ 1,000,000" in out and "EUR 500" in out and "not stated" in out
    assert "Events by category" in out and "Agreements by type" in out


def test_categories_json(small: Dataset) -> None:
    """The categories command with --format json gives {kind, field, value, count}: categories, then agreement types."""
    code, out, _ = invoke("categories", "--format", "json")
    assert code == 0 and json.loads(out) == vocabulary_counts(small.records())
    rows = json.loads(out)
    assert [(r["kind"], r["value"], r["count"]) for r in rows if r["field"] == "type"] == [
        ("agreement", t, {"declaration": 1, "aggregate": 1}.get(t, 0)) for t in AGREEMENT_TYPES
    ]
    categories = [(r["kind"], r["value"], r["count"]) for r in rows if r["field"] == "category"]
    assert categories == [(r["kind"], r["category"], r["count"]) for r in category_counts(small.records())]


def test_categories_bad_category_is_a_usage_error() -> None:
    """An unknown --category exits 2 with a suggestion."""
    code, out, err = invoke("categories", "--category", "visti")
    assert code == 2 and out == "" and "did you mean 'visit'" in err


def test_timeline_json_lists_dated_records_in_order(small: Dataset) -> None:
    """Timeline JSON: every dated record with its kind, in date order; the undated are noted."""
    code, out, err = invoke("timeline", "--format", "json")
    dated, undated = split_dated(small.records())
    assert code == 0
    assert json.loads(out) == [to_dict(r) for r in dated]
    assert f"{len(undated)} undated records left out" in err


def test_timeline_tsv_lists_records(small: Dataset) -> None:
    """The timeline command in tsv gives one record a line under a header."""
    code, out, _ = invoke("timeline", "--year", "2010", "--format", "tsv")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("id\tkind\tdate")
    dated, _ = split_dated(run(small.records(), Query(years=(2010,))))
    assert [line.split("\t")[0] for line in lines[1:]] == [r.id for r in dated]
    assert "training-since" in lines[1] and len(lines) == 3  # open since 1993, so it overlaps 2010


@pytest.mark.parametrize("width", WIDTHS)
def test_timeline_table_is_a_chart_that_fits_the_terminal(width: int) -> None:
    """The timeline command with --format table draws the chart at the terminal's width (COLUMNS)."""
    code, out, _ = invoke("timeline", "--format", "table", env={"COLUMNS": str(width)})
    assert code == 0 and "Records per year" in out
    assert all(len(line) <= width for line in out.splitlines())
    assert "1992 │" in out


def test_timeline_per_option_and_fields() -> None:
    """--per sets the span of a bar; --fields picks columns for listings."""
    code, out, _ = invoke("timeline", "--per", "10", "--format", "table", env={"COLUMNS": "60"})
    assert code == 0 and "1990–1999 │" in out
    code, out, _ = invoke("timeline", "--format", "csv", "--fields", "id,kind")
    assert code == 0 and out.splitlines()[0] == "id,kind"
    code, _, err = invoke("timeline", "--fields", "nope")
    assert code == 2 and "unknown field" in err


def test_timeline_json_fields_default_to_every_field() -> None:
    """Without --fields the JSON rows have every field of every kind they may have."""
    code, out, _ = invoke("timeline", "--format", "json")
    assert code == 0 and all(set(row) <= set(fields_of(KINDS)) for row in json.loads(out))


def test_chart_is_the_same_for_the_same_input(small: Dataset) -> None:
    """The chart function is pure: two calls give the same lines."""
    dated, _ = split_dated(small.records())
    assert chart_lines(dated, 50) == chart_lines(list(dated), 50)


@pytest.mark.parametrize("command", ["summary", "timeline", "categories"])
def test_dataset_text_is_printed_as_text(command: str) -> None:
    """Markup in names stays literal and escape codes show as escapes, in tables and charts alike."""
    hostile = FIXTURES / "overview-hostile.toml"
    result = runner.invoke(app, ["--data", str(hostile), command, "--format", "table"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    if command == "summary":
        assert "[blink]Donor[/blink]\\x1b[5m" in result.stdout and "GBP 7" in result.stdout


def test_bins_start_at_the_floor_a_filter_asks_for(small: Dataset) -> None:
    """With a floor, records that began earlier are counted in the floor year; nothing is drawn before it."""
    records = [r for r in small.records() if r.date is not None]
    floor = max(start_year(r) or 0 for r in records)
    floored = bins(records, 1, floor)
    assert floored[0].first == floor
    assert sum(sum(b.counts.values()) for b in floored) == len(records)


def test_pledged_aid_is_totalled_apart_from_aid_given(small: Dataset) -> None:
    """A grant marked pledged never adds to what was given: it has a row of its own with pledged true."""
    from dataclasses import replace

    grant = next(a for a in small.aid if a.amount is not None)
    pledge = replace(grant, id="pledge", status="pledged")
    rows = summary([grant, pledge])["aid_totals"]
    assert [(r["pledged"], r["total"], r["grants"]) for r in rows] == [
        (False, grant.amount, 1),
        (True, grant.amount, 1),
    ]
