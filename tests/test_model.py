"""Tests of fuzzy dates: parsing, precision, intervals and year overlap."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relations_cli.model import parse_date, parse_point


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


def _reference_point(text: str) -> tuple[date, date] | None:
    """The days `YYYY`, `YYYY-MM` or `YYYY-MM-DD` covers, worked out with the calendar; None when it is no date."""
    import calendar

    shape = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", text)
    if shape is None or int(shape.group(1)) < 1:
        return None
    year = int(shape.group(1))
    if shape.group(2) is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(shape.group(2))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if shape.group(3) is None:
        return date(year, month, 1), date(year, month, last)
    day = int(shape.group(3))
    return (date(year, month, day),) * 2 if 1 <= day <= last else None


POINT_TEXT = st.one_of(
    st.builds(lambda d: d.isoformat(), st.dates()),
    st.from_regex(r"\A[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\Z"),
    st.text(alphabet="0123456789-W/ T١\n", min_size=4, max_size=11),
)


@settings(max_examples=3000)
@given(text=POINT_TEXT)
def test_points_parse_as_the_calendar_says(text: str) -> None:
    """parse_point (with its quick path for full days and years) agrees with the calendar, or refuses."""
    expected = _reference_point(text)
    if expected is None:
        with pytest.raises(ValueError, match=re.escape(text)):
            parse_point(text)
    else:
        point = parse_point(text)
        assert (point.first, point.last, point.text) == (*expected, text)


@pytest.mark.parametrize("text", ["2015\n", "2015-01-01\n", "١٩٩٢", "２０１５", " 2015", "2015 "])
def test_a_date_with_anything_but_ascii_digits_and_dashes_is_refused(text: str) -> None:
    """A trailing newline, spaces or digits of another script make no date (they once passed the pattern's `$`)."""
    with pytest.raises(ValueError, match="is not a date of the form"):
        parse_point(text)
