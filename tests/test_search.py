"""Tests of search semantics: words, OR, exclusion, prefixes, whole words, spellings and searched fields."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relations_cli import entry
from relations_cli.cli.app import main
from relations_cli.model import Agreement, Aid, Citation, Event, Record
from relations_cli.options import MINUS, flags_of, is_excluded_word, mark_excluded_words
from relations_cli.query import (
    Query,
    QueryError,
    Term,
    haystack,
    normalise_word,
    parse_search,
    record_text,
    record_tokens,
    run,
    search_matches,
    spellings,
    tokens_of,
)
from tests.conftest import SMALL
from tests.test_cli import invoke

CITE = (Citation("alpha", 1),)


def event(ident: str, title: str, summary: str = "", **extra: Any) -> Event:
    """An undated event with one citation."""
    return Event(
        id=ident,
        date=None,
        category=extra.pop("category", "statement"),
        title=title,
        summary=summary,
        sources=CITE,
        **extra,
    )


@dataclass(frozen=True)
class Place:
    """A place as the model may soon give one: a city and a country."""

    city: str | None
    country: str | None


@dataclass(frozen=True)
class Placed:
    """A record shape with the fields being added to the model: actor names and a place."""

    id: str
    title: str
    summary: str
    category: str
    place: Place
    actor_names: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    notes: str | None = None
    kind: str = "event"

    def names(self) -> tuple[str, ...]:
        """No names of the old kind."""
        return ()


RECORDS: list[Record] = [
    event("eco-summit", "Zardari in Baku for the ECO summit", "The Economic Cooperation Organisation met."),
    event("economy", "Economic ties", "Trade and economic cooperation grew."),
    event("recognised", "Pakistan recognises Azerbaijan", "It was the first to recognise it.", category="recognition"),
    event("flood-quake", "Relief after flood and earthquake", "Help for both disasters."),
    event("flood-only", "Flood relief", "Help after the flood."),
    event("karabakh", "Support on Karabakh", "Statement on Nagorno-Karabakh.", notes="Quoted by the Honour guard."),
    event("kashmir", "Support on Kashmir", "Statement on Kashmir."),
    event("heydar", "Heydər Əliyev visits", "The president came.", actors=("Heydər Əliyev",), aliases=("Gaidar",)),
    Aid(
        id="grant",
        date=None,
        category="in-kind",
        title="A gift",
        summary="Goods.",
        sources=CITE,
        donor="Azerbaijan",
        recipient="Pakistan",
        purpose="labour training centre",
    ),
    Agreement(
        id="defence-mou",
        date=None,
        category="defence",
        title="Memorandum on defence",
        summary="Defence programme signed.",
        sources=CITE,
        type="memorandum",
    ),
    cast(Record, Placed("placed", "A meeting", "They met.", "meeting", Place("Lahore", "Pakistan"), ("Ilham Aliyev",))),
]


def found(text: str) -> list[str]:
    """Ids of the records a search finds, in fixture order."""
    groups = parse_search(text)
    return [r.id for r in RECORDS if search_matches(groups, r)]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        # several words: all must match
        ("flood relief", ["flood-quake", "flood-only"]),
        ("flood earthquake", ["flood-quake"]),
        # OR between words, AND binding tighter
        ("karabakh OR kashmir", ["karabakh", "kashmir"]),
        ("flood earthquake OR kashmir", ["flood-quake", "kashmir"]),
        ("karabakh | kashmir", ["karabakh", "kashmir"]),
        ("OR kashmir OR", ["kashmir"]),
        # a leading - excludes a word (also the minus sign U+2212)
        ("flood -earthquake", ["flood-only"]),
        ("flood \u2212earthquake", ["flood-only"]),
        ("support -kashmir", ["karabakh"]),
        ("karabakh OR kashmir -statement", ["karabakh"]),
        # whole words only; `*` makes a prefix
        ("ECO", ["eco-summit"]),
        ("econ", []),
        ("econ*", ["eco-summit", "economy"]),
        ("recogni*", ["recognised"]),
        ("recogniz*", ["recognised"]),
        ("honor*", ["karabakh"]),
        ("progr*", ["defence-mou"]),
        # British and American spellings find each other
        ("recognize", ["recognised"]),
        ("recognizes", ["recognised"]),
        ("organization", ["eco-summit"]),
        ("defense", ["defence-mou"]),
        ("program", ["defence-mou"]),
        ("center", ["grant"]),
        ("labor", ["grant"]),
        ("honor", ["karabakh"]),
        # case and accents
        ("HEYDAR aliyev", ["heydar"]),
        ("heydər", ["heydar"]),
        # fields: id, category, type, notes, purpose, aliases, actors, actor names and place
        ("quake", ["flood-quake"]),
        ("recognition", ["recognised"]),
        ("memorandum", ["defence-mou"]),
        ("guard", ["karabakh"]),
        ("training", ["grant"]),
        ("gaidar", ["heydar"]),
        ("lahore", ["placed"]),
        ("ilham", ["placed"]),
        ("meeting pakistan", ["placed"]),
        ("nagorno-karabakh", ["karabakh"]),
        ("Pakistan's", ["recognised", "grant", "placed"]),
    ],
)
def test_search_semantics(text: str, ids: list[str]) -> None:
    """Each search finds exactly the records the README promises."""
    assert found(text) == ids


def test_parse_search_structure() -> None:
    """A search parses into alternatives of terms: normalised words, prefixes, exclusions."""
    assert parse_search("Defence -Honour OR recognis*") == [
        [Term(("defense",)), Term(("honor",), negated=True)],
        [Term(("recognis",), prefix=True)],
    ]
    assert parse_search("OR - * !!") == []


def test_spellings_of_a_word() -> None:
    """A normalised word knows its British spellings, and only real ones."""
    assert spellings("defense") == ("defence", "defense")
    assert spellings("recognized") == ("recognised", "recognized")
    assert spellings("program") == ("program", "programme")
    assert spellings("honorable") == ("honorable", "honourable")
    assert spellings("flood") == ("flood",)


def test_spelling_normalisation() -> None:
    """British spellings become American; unrelated words that look alike are left alone."""
    pairs = {
        "recognise": "recognize",
        "organisations": "organizations",
        "analysed": "analyzed",
        "honourable": "honorable",
        "centres": "centers",
        "centred": "centered",
        "programmes": "programs",
        "catalogue": "catalog",
        "travelled": "traveled",
        "licence": "license",
        "judgement": "judgment",
    }
    assert {w: normalise_word(w) for w in pairs} == pairs
    for same in ("four", "hour", "your", "tour", "filled", "sentence", "independence", "programmed", "meter"):
        assert normalise_word(same) == same
    assert tokens_of("Self-Defence Programme") == ["self", "defense", "program"]


def test_record_tokens_feed_an_index() -> None:
    """record_tokens gives the normalised words of every searched field; haystack joins them."""
    grant = next(r for r in RECORDS if r.id == "grant")
    assert {"grant", "gift", "azerbaijan", "labor", "center", "in", "kind"} <= record_tokens(grant)
    assert record_text(grant) is record_text(grant)  # folded once per record
    assert " labour " in record_text(grant) and " 's " not in record_text(grant)
    assert haystack(grant).split() == sorted(record_tokens(grant))


def test_nothing_to_search_for_is_a_usage_error() -> None:
    """A search of only operators or punctuation says so instead of matching everything."""
    with pytest.raises(QueryError, match="nothing to search for"):
        run(RECORDS, Query(text="OR !!"))
    dated = RECORDS[:-1]  # the stand-in record has no date to sort by
    assert len(run(dated, Query(text="  "))) == len(dated)


def test_exclusions_on_the_command_line_are_words_not_options() -> None:
    """In search, -word excludes a word; real options, with values attached or not, stay options."""
    flags = flags_of("search")
    assert is_excluded_word(flags, "-earthquake") and is_excluded_word(flags, "-flood")
    assert is_excluded_word(flags, "-yemen") and is_excluded_word(flags, "-help")
    assert not is_excluded_word(flags, "-y") and not is_excluded_word(flags, "-y2010")
    assert not is_excluded_word(flags, "-fjson") and not is_excluded_word(flags, "--flood")
    assert mark_excluded_words("search", ["a", "-b", "--actor", "-x", "-y", "2010", "--", "-c"]) == [
        "a",
        MINUS + "b",
        "--actor",
        "-x",
        "-y",
        "2010",
        "--",
        "-c",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "flood", "-grant"],
        ["search", "-grant", "flood"],
        ["search", "--", "flood", "-grant"],
        ["search", "relief", "-flood", "-f", "json"],
        ["search", "flood", "OR", "heydar"],
    ],
)
def test_exclusions_through_both_entry_points(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """`search flood -grant` runs the same through the quick path and the Typer app."""
    full_argv = ["--data", str(SMALL), *argv, "--fields", "id"] if "--" not in argv else ["--data", str(SMALL), *argv]
    quick = entry.main(full_argv)
    quick_out = capsys.readouterr()
    full = main(full_argv)
    full_out = capsys.readouterr()
    assert (quick, quick_out.out, quick_out.err) == (full, full_out.out, full_out.err)
    assert quick == 0


def test_search_command_finds_words_and_excludes() -> None:
    """The search command reads its words like a search box."""
    assert invoke("search", "flood", "-f", "json", "--fields", "id")[1].count('"id"') == 1
    code, out, _ = invoke("search", "relief", "-flood", "-f", "json", "--fields", "id")
    assert code == 0 and '"covid-aid"' in out and "flood-2010" not in out
    code, out, _ = invoke("events", "-s", "ties OR heydar", "-f", "tsv", "--fields", "id")
    assert code == 0 and out.splitlines() == ["id", "ties", "visit-heydar"]


ACCENTS = ["\u0301", "\u0300", "\u0308", "\u0302", "\u0327"]


@st.composite
def word_and_variant(draw: st.DrawFn) -> tuple[str, str]:
    """A word of a fixture record, and the same word in random case with accents added or removed."""
    record = draw(st.sampled_from(RECORDS))
    word = draw(st.sampled_from(sorted(record_tokens(record))))
    letters = []
    for letter in word:
        letter = letter.upper() if draw(st.booleans()) else letter
        if letter.isalpha() and draw(st.booleans()):
            letter = unicodedata.normalize("NFC", letter + draw(st.sampled_from(ACCENTS)))
        letters.append(letter)
    return word, "".join(letters)


@settings(max_examples=300, deadline=None)
@given(pair=word_and_variant())
def test_any_case_and_accent_finds_the_same_records(pair: tuple[str, str]) -> None:
    """Property: a record found by a word is found by that word in any case, with accents added or removed."""
    word, variant = pair
    assert found(word), word
    assert found(variant) == found(word)
    assert found(unicodedata.normalize("NFD", variant)) == found(word)
