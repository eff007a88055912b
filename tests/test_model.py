"""Tests of fuzzy dates: parsing, precision, intervals and year overlap."""

from __future__ import annotations

from datetime import date

import pytest

from relations_cli.model import parse_date


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("1992", date(1992, 1, 1), date(1992, 12, 31)),
        ("1992-06", date(1992, 6, 1), date(1992, 6, 30)),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29)),
        ("2016-01-21", date(2016, 1, 21), date(2016, 1, 21)),
        ("2016-04-26/2016-04-27", date(2016, 4, 26), date(2016, 4, 27)),
        ("1992/1993", date(1992, 1, 1), date(1993, 12, 31)),
        ("1993/..", date(1993, 1, 1), date.max),
        ("../2000", date.min, date(2000, 12, 31)),
    ],
)
def test_parse_date_keeps_precision(text: str, first: date, last: date) -> None:
    """A date covers exactly the days its precision implies, and keeps its text."""
    parsed = parse_date(text)
    assert (parsed.first, parsed.last, parsed.text) == (first, last, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1992-13", "no month 13"),
        ("2015-02-30", "not a real calendar day"),
        ("1993/1992", "ends before it starts"),
        ("../..", "open at both ends"),
        ("1992/1993/1994", "more than one"),
        ("92", "not a date"),
        ("1992-6", "not a date"),
        ("June 1992", "not a date"),
        ("0000", "no year 0"),
    ],
)
def test_parse_date_rejects_malformed(text: str, reason: str) -> None:
    """Malformed or impossible dates raise ValueError saying why."""
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("1992/1993", 1992, True),
        ("1992/1993", 1993, True),
        ("1992/1993", 1994, False),
        ("1993/..", 2030, True),
        ("1993/..", 1992, False),
        ("2015-03-11/2015-03-14", 2015, True),
        ("2015-03-11/2015-03-14", 2014, False),
    ],
)
def test_overlaps_single_year(text: str, year: int, expected: bool) -> None:
    """An interval matches every year it touches, and no other."""
    assert parse_date(text).overlaps_years(year, year) is expected


def test_overlaps_open_ranges() -> None:
    """A range open at one end matches everything on that side."""
    grant = parse_date("1992/1993")
    assert grant.overlaps_years(None, 1992)
    assert grant.overlaps_years(1993, None)
    assert not grant.overlaps_years(1994, None)
    assert not grant.overlaps_years(None, 1991)
