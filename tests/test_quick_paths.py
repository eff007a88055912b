"""The start-up shortcuts keep behaviour: hand-written value classes act as the dataclasses did, JSON is json's."""

from __future__ import annotations

import dataclasses
import io
import json
import pickle
import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relations_cli.model import Citation, Dataset, DatePoint, Event, FuzzyDate, Place, Source
from relations_cli.query import Query
from relations_cli.render import Listing, render_json

SCALARS = st.none() | st.booleans() | st.integers() | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=30)


@given(st.lists(st.dictionaries(st.text(), VALUES)), st.booleans())
def test_json_is_byte_for_byte_what_json_writes(rows: list[dict[str, Any]], ascii: bool) -> None:
    """`render_json` writes exactly `json.dump(rows, indent=2)` and a newline, whatever the values."""
    # An ASCII stream cannot hold all of Unicode, so JSON escapes non-ASCII there.
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii" if ascii else "utf-8", newline="")
    fields = list(dict.fromkeys(k for row in rows for k in row))
    render_json(Listing(rows, fields), out)
    out.flush()
    projected = [{f: row.get(f) for f in fields} for row in rows]
    assert raw.getvalue().decode("utf-8") == json.dumps(projected, ensure_ascii=ascii, indent=2) + "\n"


@pytest.mark.parametrize("odd", [1.5, float("nan"), {1: "x"}, [2.0]])
def test_json_leaves_other_values_to_json(odd: object) -> None:
    """Floats and non-string keys go through `json` itself, with the same result."""
    out = io.StringIO()
    render_json(Listing([{"a": odd}], ["a"]), out)
    assert out.getvalue() == json.dumps([{"a": odd}], ensure_ascii=False, indent=2) + "\n"


def _event(**changes: Any) -> Event:
    """A small event."""
    values: dict[str, Any] = {
        "id": "x",
        "date": FuzzyDate("2010", DatePoint("2010", date(2010, 1, 1), date(2010, 12, 31)), None),
        "category": "visit",
        "title": "A visit",
        "summary": "They met.",
        "sources": (Citation("alpha", 1),),
        "place": Place("AZ", "Baku"),
    }
    values.update(changes)
    return Event(**values)


def test_values_compare_hash_print_and_refuse_changes_as_frozen_dataclasses() -> None:
    """Equality and hash by fields and class, the dataclass repr, no assignment, pickling."""
    event = _event()
    assert event == _event() and hash(event) == hash(_event()) and event != _event(title="Other")
    assert Place("AZ") != Citation("AZ")
    assert repr(Place("AZ", "Baku")) == "Place(country='AZ', city='Baku')"
    shown = repr(event)
    assert shown.startswith("Event(id='x', date=FuzzyDate(text='2010', ") and shown.endswith(", kind='event')")
    with pytest.raises(AttributeError):
        event.title = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del event.title
    assert pickle.loads(pickle.dumps(event)) == event
    dataset = Dataset("a.toml", (), (event,), (), ())
    assert dataset.actor("nobody") is None and dataset == Dataset("a.toml", (), (event,), (), ())
    assert "_actor_index" not in repr(dataset)


def test_dataclasses_functions_still_work() -> None:
    """`fields`, `replace`, `asdict` and `is_dataclass` work on the values and on Query."""
    assert [f.name for f in dataclasses.fields(Source)][:3] == ["id", "title", "authors"]
    assert [f.name for f in dataclasses.fields(Event)][-4:] == ["actors", "actor_names", "place", "kind"]
    assert dataclasses.replace(_event(), title="Other") == _event(title="Other")
    assert dataclasses.asdict(Citation("alpha", 2)) == {"source": "alpha", "paragraph": 2}
    assert dataclasses.is_dataclass(Query()) and "limit" in Query.__dataclass_fields__
    query = Query(("aid",), years=(2010,))
    assert query.replace(years=()) == dataclasses.replace(query, years=()) == Query(("aid",))


def test_a_plain_query_imports_no_dataclasses_or_rich() -> None:
    """The quick path of a JSON query stays light: what it does not need, it does not import.

    (Without the store, `tomllib` imports `typing`; from the store, nothing does.)
    """
    code = (
        "import sys, contextlib, io\n"
        "from relations_cli.entry import _main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    _main(['aid', '--year', '2010', '--format', 'json', '--no-cache'])\n"
        "print(' '.join(m for m in ('dataclasses', 'inspect', 'rich') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
