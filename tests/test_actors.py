"""Tests of the dataset format 2: actors and roles, places, disputes, web-page sources and the last-reported rule."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relations_cli import model
from relations_cli.dataset import DatasetError, build, load
from relations_cli.model import Agreement, Aid, Citation, Dataset, Event, Place, Record, parse_date, parse_point
from relations_cli.query import Query, run
from relations_cli.render import to_dict
from relations_cli.store import load_cached
from tests.conftest import BUNDLED, FIXTURES

PAGES = FIXTURES / "pages.toml"
TODAY = date(2026, 11, 23)


@cache
def bundled() -> Dataset:
    """The bundled dataset, loaded once."""
    return load(BUNDLED)


def pages() -> Dataset:
    """The fixture with web pages, roles, places, disputes and statuses."""
    return load(PAGES)


def minimal(**record: Any) -> dict[str, Any]:
    """Parsed TOML of one source, two states and one event with the given fields changed."""
    base = {
        "id": "ties",
        "date": "1992-06",
        "category": "visit",
        "title": "Ties",
        "summary": "Ties.",
        "actors": ["pakistan", "azerbaijan"],
        "sources": [{"source": "alpha", "paragraph": 1}],
    }
    event = {**base, **record}
    return {
        "sources": [{"id": "alpha", "title": "Alpha", "file": "alpha.txt", "published": "2017-01-16"}],
        "actors": [
            {"id": "pakistan", "name": "Pakistan", "kind": "state", "country": "PK", "aliases": ["Pākistān"]},
            {"id": "azerbaijan", "name": "Azerbaijan", "kind": "state", "country": "AZ", "aliases": ["Azərbaycan"]},
            {"id": "heydar-aliyev-foundation", "name": "Heydar Aliyev Foundation", "kind": "organisation"},
        ],
        "events": [event, {**base, "id": "other", "actors": ["heydar-aliyev-foundation"]}],
    }


def problems(raw: dict[str, Any]) -> list[str]:
    """The problem messages of building parsed TOML (empty when it is valid)."""
    try:
        build(raw, "x.toml", today=TODAY)
    except DatasetError as exc:
        return [f"{p.where}: {p.message}" for p in exc.problems]
    return []


def record(dataset: Dataset, ident: str) -> Record:
    """The record with this id."""
    return next(r for r in dataset.records() if r.id == ident)


# -- page sources, places, disputes, status ----------------------------------------------------


def test_pages_fixture_builds_every_new_field() -> None:
    """Pages are cited without a paragraph; places, disputes, status and authors lists come through."""
    data = pages()
    page = data.source("agency-2024-07-12")
    assert page is not None and (page.kind, page.language, page.publisher) == ("agency", "en", "Agency")
    assert data.source("article") is not None and data.source("article").authors == ("A. Writer", "B. Writer")  # type: ignore[union-attr]
    visit = record(data, "state-visit-2024")
    assert isinstance(visit, Event)
    assert visit.sources == (Citation("agency-2024-07-12"), Citation("paper-2024-07"))
    assert visit.place == Place("AZ", "Baku") and str(visit.place) == "Baku, AZ"
    (dispute,) = visit.disputes
    assert dispute.field == "date" and [r.value for r in dispute.readings] == [
        "2024-07-11/2024-07-12",
        "2024-07-10/2024-07-12",
    ]
    assert dispute.readings[1].sources == (Citation("paper-2024-07"),)
    mou = record(data, "mou-2024")
    assert isinstance(mou, Agreement) and mou.status == "signed"


def test_records_keep_ids_and_resolved_names() -> None:
    """Records refer to actors by id and carry their display names for renderers."""
    data = pages()
    visit = record(data, "state-visit-2024")
    assert isinstance(visit, Event)
    assert visit.actors == ("shehbaz-sharif", "pakistan", "azerbaijan")
    assert visit.actor_names == ("Shehbaz Sharif", "Pakistan", "Azerbaijan") == visit.names()
    grant = record(data, "manat-grant-2005")
    assert isinstance(grant, Aid)
    assert (grant.donor, grant.donor_name, grant.recipient_name) == (
        "heydar-aliyev-foundation",
        "Heydar Aliyev Foundation",
        "Pakistan",
    )
    shown = to_dict(grant)
    assert (shown["donor"], shown["donor_id"], shown["recipient"], shown["recipient_id"]) == (
        "Heydar Aliyev Foundation",
        "heydar-aliyev-foundation",
        "Pakistan",
        "pakistan",
    )
    actor = data.actor("shehbaz-sharif")
    assert actor is not None and actor.aliases == ("Shahbaz Sharif",) and data.actor("nobody") is None


def test_json_carries_place_status_and_disputes() -> None:
    """The JSON shape has names under the old keys, ids beside them, and place, status and disputes."""
    data = pages()
    visit = to_dict(record(data, "state-visit-2024"))
    assert visit["actors"] == ["Shehbaz Sharif", "Pakistan", "Azerbaijan"]
    assert visit["actor_ids"] == ["shehbaz-sharif", "pakistan", "azerbaijan"]
    assert visit["place"] == {"city": "Baku", "country": "AZ"}
    assert visit["disputes"][0] == {
        "field": "date",
        "readings": [
            {"value": "2024-07-11/2024-07-12", "sources": [{"source": "agency-2024-07-12", "paragraph": None}]},
            {"value": "2024-07-10/2024-07-12", "sources": [{"source": "paper-2024-07", "paragraph": None}]},
        ],
        "note": "The agency is the more authoritative source.",
    }
    mou = to_dict(record(data, "mou-2024"))
    assert (mou["status"], mou["parties"], mou["party_ids"]) == (
        "signed",
        ["Pakistan", "Azerbaijan"],
        ["pakistan", "azerbaijan"],
    )


def test_cache_keeps_every_new_field(tmp_path: Path) -> None:
    """The bundled data read back from the JSON-lines cache equals the data parsed from TOML."""
    copy = tmp_path / "data.toml"
    shutil.copyfile(BUNDLED, copy)
    old = time.time() - 3600
    os.utime(copy, (old, old))
    direct = load(copy)
    assert load_cached(copy) == direct  # the first call writes the cache
    cached = load_cached(copy)
    assert cached == direct and cached.actors == direct.actors
    assert [r.disputes for r in cached.records()] == [r.disputes for r in direct.records()]
    assert [r.reported_until for r in cached.records()] == [r.reported_until for r in direct.records()]


# -- actor references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("pakistn", "unknown actor 'pakistn'; did you mean 'pakistan'?"),
        ("azerbajan", "unknown actor 'azerbajan'; did you mean 'azerbaijan'?"),
        ("Azerbaijan", "unknown actor 'Azerbaijan'; did you mean 'azerbaijan'?"),
        ("Azərbaycan", "unknown actor 'Azərbaycan'; did you mean 'azerbaijan'?"),
        ("Heydar Aliyev Foundation", "did you mean 'heydar-aliyev-foundation'?"),
        ("somebody-else", "unknown actor 'somebody-else' (no [[actors]] entry has this id)"),
    ],
)
def test_unknown_actor_names_the_closest_id(reference: str, message: str) -> None:
    """A reference to no actor is a problem of the record's field, with the closest id or name as a hint."""
    found = problems(minimal(actors=[reference, "pakistan", "azerbaijan"]))
    assert len(found) == 1
    assert found[0].startswith("events[0] (id 'ties'): field 'actors': ") and message in found[0]


def test_aid_and_agreement_references_are_resolved() -> None:
    """Donor, recipient and parties name actors by id too."""
    raw = minimal()
    raw["aid"] = [
        {
            "id": "grant",
            "category": "humanitarian",
            "title": "Grant",
            "summary": "A grant.",
            "donor": "azerbaijn",
            "recipient": "Pakistan",
            "purpose": "relief",
            "sources": [{"source": "alpha", "paragraph": 2}],
        }
    ]
    raw["agreements"] = [
        {
            "id": "pact",
            "category": "general",
            "type": "agreement",
            "title": "Pact",
            "summary": "A pact.",
            "parties": ["pakistan", "armenia"],
            "sources": [{"source": "alpha", "paragraph": 3}],
        }
    ]
    assert problems(raw) == [
        "aid[0] (id 'grant'): field 'donor': unknown actor 'azerbaijn'; did you mean 'azerbaijan'?",
        "aid[0] (id 'grant'): field 'recipient': unknown actor 'Pakistan'; did you mean 'pakistan'?",
        "agreements[0] (id 'pact'): field 'parties': unknown actor 'armenia' (no [[actors]] entry has this id)",
    ]


def test_an_actor_no_record_or_role_uses_is_reported() -> None:
    """An actor that nothing refers to is reported once, where it is defined; a role's `of` counts as a use."""
    raw = minimal()
    raw["actors"].append({"id": "armenia", "name": "Armenia", "kind": "state", "country": "AM"})
    assert problems(raw) == ["actors[3] (id 'armenia'): actor 'armenia' is used by no record and no role"]
    raw["actors"][2]["roles"] = [
        {"title": "Neighbour", "of": "armenia", "sources": [{"source": "alpha", "paragraph": 1}]}
    ]
    assert problems(raw) == []


def test_every_alias_of_every_bundled_actor_finds_its_records() -> None:
    """The actor, donor and recipient filters find each actor's records by id, name and every alias."""
    data = bundled()
    for actor in data.actors:
        refers = {r.id for r in data.records() if actor.id in r.actor_ids()}
        assert refers, f"{actor.id} is used by no record"
        for spelling in actor.spellings():
            found = {r.id for r in run(data.records(), Query(actor=spelling), data.actors)}
            found |= {r.id for r in run(data.records(), Query(donor=spelling), data.actors)}
            found |= {r.id for r in run(data.records(), Query(recipient=spelling), data.actors)}
            assert refers <= found, (actor.id, spelling, sorted(refers - found))


def test_actor_filter_is_case_and_accent_blind() -> None:
    """`--actor` matches an alias whatever its case and accents; `--donor` the donor's aliases."""
    data = pages()
    assert [r.id for r in run(data.records(), Query(actor="SHAHBAZ"), data.actors)] == ["state-visit-2024"]
    assert [r.id for r in run(data.records(), Query(donor="hyder aliyev"), data.actors)] == ["manat-grant-2005"]
    assert [r.id for r in run(data.records(), Query(recipient="azərbaycan"), data.actors)] == []
    assert {r.id for r in run(data.records(), Query(actor="AZƏRBAYCAN"), data.actors)} == {
        "state-visit-2024",
        "training-since-2019",
        "statement-undated",
        "mou-2024",
    }


# -- roles -----------------------------------------------------------------------------------------


def test_roles_resolve_and_follow_the_last_reported_rule() -> None:
    """A role's `of` is resolved to a name; an open role ends when last reported; a closed one at its end."""
    actor = pages().actor("shehbaz-sharif")
    assert actor is not None
    prime, chief = actor.roles
    assert (prime.title, prime.of, prime.of_name) == ("Prime Minister", "pakistan", "Pakistan")
    assert prime.span() == (date(2024, 3, 1), date(2024, 7, 12))
    assert chief.span() == (date(2013, 1, 1), date(2018, 12, 31))
    qaiser = bundled().actor("khalid-usman-qaiser")
    assert qaiser is not None and qaiser.roles[0].span() == (date(2014, 1, 1), date(2017, 1, 16))
    for actor in bundled().actors:
        for role in actor.roles:
            if role.start is None and role.end is None and role.reported_until is not None:
                assert role.span() == (role.reported_until, role.reported_until), actor.id


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ({"from": "2015", "to": "2014-01"}, "field 'roles[0].to': '2014-01' is before the start '2015'"),
        ({"from": "2018"}, "field 'roles[0].from': '2018' is after the publication (2017-01-16)"),
        ({"to": "2999"}, "field 'roles[0].to': '2999' is after today (2026-11-23)"),
        ({"from": "2015-13"}, "field 'roles[0].from': '2015-13' has no month 13"),
        ({"from": "2015/2016"}, "field 'roles[0].from': '2015/2016' is not a date"),
        ({"sources": []}, "field 'roles[0].sources': must be a non-empty list"),
        ({"sources": ["alpha"]}, "field 'roles[0].sources': 'alpha' is an article file: cite it with a paragraph"),
        ({"of": "pakistn"}, "field 'roles[0].of': unknown actor 'pakistn'; did you mean 'pakistan'?"),
        ({"since": "2015"}, "field 'roles[0].since': unknown field"),
    ],
)
def test_role_dates_follow_the_date_rules(role: dict[str, Any], message: str) -> None:
    """Role dates parse like record dates, keep their order and claim no more than their sources."""
    raw = minimal()
    raw["actors"][2]["roles"] = [
        {"title": "Ambassador", "of": "pakistan", "sources": [{"source": "alpha", "paragraph": 2}], **role}
    ]
    found = problems(raw)
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith("actors[2] (id 'heydar-aliyev-foundation'): ")


# -- dates and the last-reported rule ---------------------------------------------------------------


def test_open_end_stops_at_the_latest_dated_source() -> None:
    """`2019/..` citing pages of 2024-07-12 and 2024-07 (and an undated one) ends on 2024-07-31."""
    training = record(pages(), "training-since-2019")
    assert training.reported_until == date(2024, 7, 31)
    assert training.span() == (date(2019, 1, 1), date(2024, 7, 31))
    ids = {r.id for r in run(pages().records(), Query(years=(2024,)))}
    assert "training-since-2019" in ids
    assert "training-since-2019" not in {r.id for r in run(pages().records(), Query(years=(2025,)))}


def test_open_end_without_a_dated_source_ends_today() -> None:
    """With no dated source cited, an open end runs to today; an undated record has no span."""
    raw = minimal(date="2020/..", sources=["page"])
    raw["sources"].append(
        {
            "id": "page",
            "url": "https://x.example/a",
            "title": "A page",
            "publisher": "X",
            "language": "en",
            "kind": "news",
            "notes": "Undated page.",
        }
    )
    raw["events"][1]["sources"] = ["page"]
    data = build(raw, "x.toml", today=TODAY)
    ties = record(data, "ties")
    assert ties.reported_until is None and ties.span(TODAY) == (date(2020, 1, 1), TODAY)
    assert record(pages(), "statement-undated").span() is None


def test_undated_records_never_match_a_year() -> None:
    """An undated record matches no year filter, but is listed without one."""
    data = pages()
    assert "statement-undated" in {r.id for r in run(data.records(), Query())}
    for year in (1990, 2024, 2026):
        assert "statement-undated" not in {r.id for r in run(data.records(), Query(years=(year,)))}


def test_bundled_open_ends_stop_in_2017() -> None:
    """The two open-ended records of the articles match 2017, the year of the last source, and not 2024."""
    data = bundled()
    in_2017 = {r.id for r in run(data.records(), Query(years=(2017,)))}
    in_2024 = {r.id for r in run(data.records(), Query(years=(2024,)))}
    assert {"civilian-training-courses", "azerbaijan-oic-contact-group-kashmir"} <= in_2017
    assert not {"civilian-training-courses", "azerbaijan-oic-contact-group-kashmir"} & in_2024


@pytest.mark.parametrize(
    ("when", "cited", "message"),
    [
        ("2106-04-26", ["alpha", "page"], "'2106-04-26' is after today (2026-11-23)"),
        ("2020-04-26", ["alpha", "page"], "'2020-04-26' is after the publication (2017-01-16) of every dated source"),
        ("2999", ["page"], "'2999' is after today (2026-11-23)"),
        ("2016/2018", ["alpha"], "'2016/2018' is after the publication (2017-01-16)"),
    ],
)
def test_dates_claim_no_more_than_their_sources(when: str, cited: list[str], message: str) -> None:
    """No date after today, and none after the publication of every dated source cited (undated ones aside)."""
    raw = minimal(date=when, sources=[{"source": s, "paragraph": 1} if s == "alpha" else s for s in cited])
    raw["sources"].append(
        {
            "id": "page",
            "url": "https://x.example/a",
            "title": "A page",
            "publisher": "X",
            "language": "en",
            "kind": "news",
            "notes": "The page shows no date.",
        }
    )
    raw["events"][1]["sources"] = ["page"]
    found = problems(raw)
    assert len(found) == 1 and found[0].startswith("events[0] (id 'ties'): field 'date': "), found
    assert message in found[0]


_YEARS = st.integers(min_value=1990, max_value=2026)


@st.composite
def dated_records(draw: st.DrawFn) -> dict[str, Any]:
    """Parsed TOML of pages published on random days and events dated (often open-endedly) no later."""
    published = sorted(
        draw(st.lists(st.dates(min_value=date(1991, 1, 1), max_value=TODAY), min_size=1, max_size=4, unique=True))
    )
    sources = [
        {
            "id": f"page-{n}",
            "url": f"https://x.example/{n}",
            "title": "Page",
            "publisher": "X",
            "language": "en",
            "kind": draw(st.sampled_from(model.SOURCE_KINDS)),
            "published": day.isoformat(),
        }
        for n, day in enumerate(published)
    ]
    events = []
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        cited = draw(st.lists(st.sampled_from(range(len(published))), min_size=1, max_size=3, unique=True))
        latest = max(published[i] for i in cited)
        start = draw(st.integers(min_value=1990, max_value=latest.year))
        end = draw(st.one_of(st.just(".."), st.integers(min_value=start, max_value=latest.year).map(str)))
        events.append(
            {
                "id": f"e{n}",
                "date": draw(st.sampled_from([f"{start}/{end}", str(start)])),
                "category": "visit",
                "title": "Visit",
                "summary": "A visit.",
                "actors": ["pakistan"],
                "sources": [f"page-{i}" for i in cited],
            }
        )
    return {
        "sources": sources,
        "actors": [{"id": "pakistan", "name": "Pakistan", "kind": "state", "country": "PK"}],
        "events": events,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=dated_records(), year=_YEARS)
def test_no_record_matches_a_year_after_it_was_last_reported(raw: dict[str, Any], year: int) -> None:
    """Whatever the dates, a record never matches a year after its end or, when open, its last report."""
    data = build(raw, "random.toml", today=TODAY)
    for found in run(data.records(), Query(years=(year,))):
        assert found.date is not None and found.reported_until is not None
        last = found.reported_until if found.date.end is None else found.date.last
        assert year <= last.year
        assert found.reported_until <= TODAY
    for found in run(data.records(), Query(date_from=date(year, 1, 1))):
        assert found.date is not None and found.reported_until is not None
        assert year <= (found.reported_until if found.date.end is None else found.date.last).year


# -- currencies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "when", "usable"),
    [
        ("XCG", "2025-05", True),
        ("USD", None, True),
        ("AZM", "2005", True),
        ("AZM", "2005/2006", False),
        ("AZM", "2010", False),
        ("AZM", None, False),
        ("AZM", "2005/..", False),
        ("ANG", "2025-03-30", True),
        ("ANG", "2025-03-31", False),
        ("ZWL", "2024-08", True),
        ("XYZ", "2010", False),
    ],
)
def test_historic_currencies_only_before_withdrawal(code: str, when: str | None, usable: bool) -> None:
    """Current codes are always accepted; withdrawn ones only for amounts whose date ends before withdrawal."""
    fuzzy = parse_date(when) if when else None
    assert (model.currency_problem(code, fuzzy) is None) is usable


def test_currency_table_names_its_source() -> None:
    """The code table is compact, dated and complete enough: XCG in, ANG and AZM historic only."""
    assert "ISO 4217" in model.CURRENCY_SOURCE and "2026" in model.CURRENCY_SOURCE
    assert {"XCG", "USD", "PKR", "AZN", "EUR"} <= model.CURRENCIES
    assert not {"ANG", "AZM", "BGN"} & model.CURRENCIES
    assert model.HISTORIC_CURRENCIES["AZM"] == (date(2006, 1, 1), "AZN")
    assert all(len(code) == 3 and code.isupper() for code in model.CURRENCIES | set(model.HISTORIC_CURRENCIES))


# -- the bundled data --------------------------------------------------------------------------------


def test_bundled_disputes_name_existing_sources() -> None:
    """Every dispute has a known field and at least two readings, each citing sources of the dataset."""
    data = bundled()
    known = {s.id for s in data.sources}
    disputes = [d for r in data.records() for d in r.disputes]
    assert len(disputes) >= 8
    for dispute in disputes:
        assert dispute.field in model.DISPUTE_FIELDS and len(dispute.readings) >= 2
        for reading in dispute.readings:
            assert reading.sources and {c.source for c in reading.sources} <= known


def test_bundled_flood_donor_dispute() -> None:
    """The 2010 flood grant keeps Azerbaijan as donor and lists the Foundation's reading with its paragraph."""
    flood = record(bundled(), "flood-relief-2010")
    assert isinstance(flood, Aid) and (flood.donor, flood.donor_name) == ("azerbaijan", "Azerbaijan")
    (dispute,) = flood.disputes
    assert dispute.field == "donor"
    assert {r.value: r.sources for r in dispute.readings} == {
        "azerbaijan": (Citation("mutual-beneficial", 5), Citation("qaiser-2017", 24)),
        "heydar-aliyev-foundation": (Citation("qaiser-2017", 20),),
    }


def test_bundled_actor_disputes_name_actors() -> None:
    """A dispute about a donor, recipient or parties reads as actor ids of the dataset."""
    data = bundled()
    for r in data.records():
        for dispute in r.disputes:
            if dispute.field in ("donor", "recipient", "parties"):
                assert all(data.actor(reading.value) is not None for reading in dispute.readings), r.id


def test_bundled_people_have_a_cited_role() -> None:
    """Every person in the bundled data holds at least one role, each citing an article paragraph or a dated page."""
    dataset = bundled()
    people = [a for a in dataset.actors if a.kind == "person"]
    assert len(people) >= 10
    for person in people:
        assert person.roles, person.id
        for role in person.roles:
            assert role.sources, person.id
            for citation in role.sources:
                source = dataset.source(citation.source)
                assert source is not None
                assert citation.paragraph if source.file else source.published, (person.id, citation.source)
            assert dataset.actor(role.of) is not None


def test_bundled_page_sources_are_complete() -> None:
    """Every web-page source has an https URL, a publisher, a kind, a language and a date not after today."""
    today = date.today()
    for source in bundled().sources:
        if source.url is None:
            assert source.file, source.id
            continue
        assert source.url.startswith("https://"), source.id
        assert source.publisher and source.kind in model.SOURCE_KINDS and source.language, source.id
        assert source.published is not None, f"{source.id}: no publication date"
        assert parse_point(source.published).first <= today, source.id


def test_bundled_recent_records_cite_a_page() -> None:
    """Every record dated 2018 or later cites at least one web page (the articles end in 2017)."""
    data = bundled()
    for r in data.records():
        if r.date is not None and r.date.first.year >= 2018:
            assert any(getattr(data.source(c.source), "url", None) for c in r.sources), r.id


def test_bundled_places_use_country_codes() -> None:
    """Events with a place name an ISO 3166 country; the visits to Baku say so."""
    data = bundled()
    placed = [r for r in data.events if r.place is not None]
    assert len(placed) >= 10 and all(r.place is not None and r.place.country in model.COUNTRIES for r in placed)
    baku = {r.id for r in placed if r.place is not None and r.place.city == "Baku"}
    assert {"leghari-visit-baku", "musharraf-visit-baku", "zardari-visit-baku-eco-summit"} <= baku


def test_schema_vocabularies_match_the_model() -> None:
    """data/schema.json lists the same categories, types, statuses, kinds and codes as the model."""
    schema = json.loads((BUNDLED.parent / "schema.json").read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert defs["event"]["properties"]["category"]["enum"] == list(model.EVENT_CATEGORIES)
    assert defs["aid"]["properties"]["category"]["enum"] == list(model.AID_CATEGORIES)
    assert defs["agreement"]["properties"]["category"]["enum"] == list(model.AGREEMENT_CATEGORIES)
    assert defs["agreement"]["properties"]["type"]["enum"] == list(model.AGREEMENT_TYPES)
    assert defs["agreement"]["properties"]["status"]["enum"] == list(model.AGREEMENT_STATUSES)
    assert defs["source"]["properties"]["kind"]["enum"] == list(model.SOURCE_KINDS)
    assert defs["actor"]["properties"]["kind"]["enum"] == list(model.ACTOR_KINDS)
    assert defs["dispute"]["properties"]["field"]["enum"] == list(model.DISPUTE_FIELDS)
    assert set(defs["country"]["enum"]) == model.COUNTRIES
    assert set(defs["aid"]["properties"]["currency"]["enum"]) == model.CURRENCIES | set(model.HISTORIC_CURRENCIES)


def test_pages_fixture_matches_the_schema() -> None:
    """The pages fixture, like the bundled file, validates against data/schema.json."""
    jsonschema = pytest.importorskip("jsonschema")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    schema = json.loads((BUNDLED.parent / "schema.json").read_text(encoding="utf-8"))
    data = tomllib.loads(PAGES.read_text(encoding="utf-8"))
    assert [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)] == []
