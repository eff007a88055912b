"""The SQLite database of a dataset: one schema and one fill function for the store and for `export`.

Tables every database has (what `relations export x.db` writes):

- `meta(key, value)`; `sources`; `actors` (aliases as JSON text) and their `roles`;
- `events`, `aid`, `agreements`: one row per record, the fields of `--format json` (lists and
  places as JSON text), with `date_start`/`date_end`, the first and last day the date as written covers;
- `citations(record_id, kind, source -> sources.id, paragraph)`;
- `record_actors(record_id, kind, role, position, actor_id -> actors.id)`: who a record names,
  `role` being actor, party, donor or recipient;
- `disputes(record_id, kind, field, reading, value, sources, note)`: one row per reading;
- the view `records` over every kind, and the FTS5 table `records_fts`, whose `folded` column holds
  each record's words as `relations search` compares them (case, accents and ə folded, British and
  American spellings both), so `MATCH` finds what `relations search` finds.

Tables only the store has, dropped from an export (STORE_TABLES): `store_records`, one row per record
with its kind, category, agreement type, the first and last day of its effective span (`record.span()`,
NULL when undated), whether that span is long, and its payload, a compact JSON row the store rebuilds
the typed record from, with the payload's CRC-32 (SQLite keeps no checksums of its own), and `shown`,
the record's members as `--format json` prints them (`render.json_members`), and `words`, its searched
words as `relations search` reads them (`query.record_text`), each with its CRC-32; and
`store_key`, what the store was built from. The FTS rowid of a record is its `store_records.rid`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from datetime import date

from relations_cli.model import KINDS, TABLE_OF_KIND, Agreement, Aid, Citation, Dataset, Event, Place, Record, Role
from relations_cli.query import record_text, record_tokens
from relations_cli.render import dispute_dict, fields_of, json_members

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    import sqlite3
    from typing import Any

# Bump when the schema or the payload changes: a store of another schema is rebuilt.
SCHEMA_VERSION = 3
STORE_TABLES: tuple[str, ...] = ("store_records", "store_key")
LIST_FIELDS: frozenset[str] = frozenset({"aliases", "actors", "parties", "actor_ids", "party_ids", "disputes"})
INTEGER_FIELDS: frozenset[str] = frozenset({"amount", "count"})
REQUIRED_FIELDS: frozenset[str] = frozenset(
    {
        "category",
        "title",
        "summary",
        "donor",
        "recipient",
        "donor_id",
        "recipient_id",
        "purpose",
        "type",
        "aliases",
        "actors",
        "parties",
        "actor_ids",
        "party_ids",
        "disputes",
    }
)
SOURCE_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "authors",
    "published",
    "publisher",
    "url",
    "language",
    "kind",
    "file",
    "notes",
)
# A span longer than this (in days) is "long": date queries look such records up apart, so that the
# others are found by a bounded range of first days.
LONG_SPAN_DAYS = 3660
# Where an open end has no dated source to stop at (it ends "today"), the stored last day is this.
OPEN_END = "9999-12-31"
FIRST_DAY = date.min.isoformat()
_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def columns(kind: str) -> list[str]:
    """Columns of a kind's table: its JSON fields without `kind` and `sources`, with the date's ends."""
    found: list[str] = []
    for name in fields_of((kind,)):
        if name in ("kind", "sources"):
            continue
        found.append(name)
        if name == "date":
            found += ["date_start", "date_end"]
    return found


def _column_sql(name: str) -> str:
    """One column definition."""
    kind = "INTEGER" if name in INTEGER_FIELDS else "TEXT"
    if name == "id":
        return "id TEXT PRIMARY KEY"
    if name in LIST_FIELDS:
        return f"{name} TEXT NOT NULL DEFAULT '[]'"
    return f"{name} {kind} NOT NULL" if name in REQUIRED_FIELDS else f"{name} {kind}"


def records_view() -> str:
    """The `records` view: the fields every kind has, from each kind's table."""
    return (
        "CREATE VIEW records AS\n"
        + "\nUNION ALL\n".join(
            f"  SELECT id, '{kind}' AS kind, date, date_start, date_end, category, title, summary, notes "
            f"FROM {TABLE_OF_KIND[kind]}"
            for kind in KINDS
        )
        + ";"
    )


def sqlite_schema() -> str:
    """The SQL that creates every table, index, view and the full-text index (store-only tables included)."""
    tables = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        "CREATE TABLE sources (id TEXT PRIMARY KEY, title TEXT NOT NULL, authors TEXT NOT NULL DEFAULT '[]', "
        "published TEXT, publisher TEXT, url TEXT, language TEXT, kind TEXT, file TEXT, notes TEXT);",
        "CREATE TABLE actors (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT, "
        "aliases TEXT NOT NULL DEFAULT '[]');",
        "CREATE TABLE roles (\n  actor_id TEXT NOT NULL REFERENCES actors(id),\n  position INTEGER NOT NULL,\n"
        "  title TEXT NOT NULL,\n  of TEXT NOT NULL REFERENCES actors(id),\n  of_name TEXT NOT NULL,\n"
        "  date_from TEXT,\n  date_to TEXT,\n  reported_until TEXT,\n  sources TEXT NOT NULL DEFAULT '[]'\n);",
        "CREATE INDEX roles_actor_id ON roles(actor_id);",
    ]
    for kind in KINDS:
        body = ",\n  ".join(_column_sql(c) for c in columns(kind))
        tables.append(f"CREATE TABLE {TABLE_OF_KIND[kind]} (\n  {body}\n);")
    tables += [
        "CREATE TABLE citations (\n  record_id TEXT NOT NULL,\n  kind TEXT NOT NULL,\n"
        "  source TEXT NOT NULL REFERENCES sources(id),\n  paragraph INTEGER\n);",
        "CREATE INDEX citations_record_id ON citations(record_id);",
        "CREATE INDEX citations_source ON citations(source);",
        "CREATE TABLE record_actors (\n  record_id TEXT NOT NULL,\n  kind TEXT NOT NULL,\n  role TEXT NOT NULL,\n"
        "  position INTEGER NOT NULL,\n  actor_id TEXT NOT NULL REFERENCES actors(id)\n);",
        "CREATE INDEX record_actors_record_id ON record_actors(record_id);",
        "CREATE INDEX record_actors_actor_id ON record_actors(actor_id);",
        "CREATE TABLE disputes (\n  record_id TEXT NOT NULL,\n  kind TEXT NOT NULL,\n  field TEXT NOT NULL,\n"
        "  reading INTEGER NOT NULL,\n  value TEXT NOT NULL,\n  sources TEXT NOT NULL DEFAULT '[]',\n  note TEXT\n);",
        "CREATE INDEX disputes_record_id ON disputes(record_id);",
        records_view(),
        "CREATE VIRTUAL TABLE records_fts USING fts5(\n  id UNINDEXED, kind UNINDEXED, title, summary, aliases, "
        "names, folded,\n  tokenize = 'unicode61 remove_diacritics 2'\n);",
        # Store only (STORE_TABLES): dropped from an export.
        "CREATE TABLE store_records (\n  rid INTEGER PRIMARY KEY,\n  id TEXT NOT NULL UNIQUE,\n  kind TEXT NOT NULL,\n"
        "  category TEXT NOT NULL,\n  type TEXT,\n  first_day TEXT,\n  last_day TEXT,\n"
        "  long INTEGER NOT NULL DEFAULT 0,\n  payload TEXT NOT NULL,\n  crc INTEGER NOT NULL,\n"
        "  shown TEXT NOT NULL,\n  shown_crc INTEGER NOT NULL,\n"
        "  words TEXT NOT NULL,\n  words_crc INTEGER NOT NULL\n);",
        "CREATE INDEX store_records_kind ON store_records(kind);",
        "CREATE INDEX store_records_category ON store_records(category);",
        "CREATE INDEX store_records_first_day ON store_records(long, first_day, last_day);",
        "CREATE INDEX store_records_last_day ON store_records(last_day);",
        "CREATE TABLE store_key (key TEXT NOT NULL);",
    ]
    return "\n".join(tables) + "\n"


def schema_objects() -> frozenset[str]:
    """The names of the tables, indexes and views `sqlite_schema` creates (FTS5's own tables included)."""
    import sqlite3

    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(sqlite_schema())
        return frozenset(name for (name,) in connection.execute("SELECT name FROM sqlite_master"))
    finally:
        connection.close()


def create(connection: sqlite3.Connection) -> None:
    """Create every table, index and view in an empty database."""
    connection.executescript(sqlite_schema())


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def _json(value: Any) -> str:
    """A list or object as JSON text, non-ASCII kept."""
    return _ROW(value)


def _citations(citations: tuple[Citation, ...]) -> list[dict[str, Any]]:
    """Citations in the JSON shape."""
    return [{"source": c.source, "paragraph": c.paragraph} for c in citations]


def flat(citations: tuple[Citation, ...]) -> list[Any]:
    """Citations as one flat list: `[source, paragraph, ...]` (paragraph null for a page)."""
    return [x for c in citations for x in (c.source, c.paragraph)]


def _place(place: Place | None) -> list[Any] | None:
    """A place as `[country, city]`."""
    return None if place is None else [place.country, place.city]


def payload(record: Record) -> str:
    """A record as one compact JSON row, from which the store rebuilds it (see store._Decoder)."""
    common: list[Any] = [
        record.id,
        record.date.text if record.date is not None else None,
        record.category,
        record.title,
        record.summary,
        flat(record.sources),
        record.notes,
        list(record.aliases),
        [[d.field, d.note, [[g.value, flat(g.sources)] for g in d.readings]] for d in record.disputes] or None,
        None if record.reported_until is None else record.reported_until.isoformat(),
    ]
    if isinstance(record, Event):
        common += [list(record.actors), list(record.actor_names), _place(record.place)]
    elif isinstance(record, Aid):
        common += [
            record.donor,
            record.recipient,
            record.purpose,
            record.amount,
            record.currency,
            record.donor_name,
            record.recipient_name,
            record.status,
        ]
    else:
        common += [
            record.type,
            list(record.parties),
            record.count,
            record.count_qualifier,
            list(record.party_names),
            record.status,
        ]
    return _ROW(common)


def span_days(record: Record) -> tuple[str | None, str | None, int]:
    """The first and last day of a record's effective span as ISO dates, and whether it is long.

    None and None for an undated record; an open end that no dated source stops ends at OPEN_END
    (its real end is "today", which moves), and such a record counts as long.
    """
    if record.date is None:
        return None, None, 0
    if record.date.end is None and record.reported_until is None:
        first = record.date.first
        return first.isoformat(), OPEN_END, 1
    span = record.span()
    assert span is not None  # dated
    first, last = span
    return first.isoformat(), last.isoformat(), int((last - first).days > LONG_SPAN_DAYS)


def folded_words(record: Record) -> str:
    """What `records_fts.folded` holds: the record's folded words as written and as search normalises them."""
    return " ".join(sorted(set(record_text(record).split()) | record_tokens(record)))


def _kind_row(record: Record) -> tuple[Any, ...]:
    """A record's row in its kind's table, in `columns(kind)` order."""
    date_ = record.date
    start = date_.start.first.isoformat() if date_ is not None and date_.start is not None else None
    end = date_.end.last.isoformat() if date_ is not None and date_.end is not None else None
    disputes = _json([dispute_dict(d) for d in record.disputes])
    head = (
        record.id,
        date_.text if date_ is not None else None,
        start,
        end,
        record.category,
        record.title,
        record.summary,
        record.notes,
        _json(list(record.aliases)),
        disputes,
    )
    if isinstance(record, Event):
        place = record.place
        return (
            *head,
            _json(list(record.names())),
            _json(list(record.actors)),
            None if place is None else _json({"city": place.city, "country": place.country}),
        )
    if isinstance(record, Aid):
        donor, recipient = record.names()
        return (
            *head,
            donor,
            recipient,
            record.donor,
            record.recipient,
            record.amount,
            record.currency,
            record.purpose,
            record.status,
        )
    return (
        *head,
        record.type,
        record.status,
        _json(list(record.names())),
        _json(list(record.parties)),
        record.count,
        record.count_qualifier,
    )


def _actor_links(record: Record) -> Iterable[tuple[str, str, str, int, str]]:
    """The record_actors rows of a record."""
    if isinstance(record, Event):
        named: Sequence[tuple[str, str]] = [("actor", a) for a in record.actors]
    elif isinstance(record, Aid):
        named = [("donor", record.donor), ("recipient", record.recipient)]
    else:
        named = [("party", p) for p in record.parties]
    return [(record.id, record.kind, role, position, actor) for position, (role, actor) in enumerate(named)]


def _role_row(actor: str, position: int, role: Role) -> tuple[Any, ...]:
    """A roles row."""
    return (
        actor,
        position,
        role.title,
        role.of,
        role.of_name,
        role.start.text if role.start else None,
        role.end.text if role.end else None,
        None if role.reported_until is None else role.reported_until.isoformat(),
        _json(_citations(role.sources)),
    )


def fill(connection: sqlite3.Connection, dataset: Dataset, records: Sequence[Record], meta: dict[str, str]) -> None:
    """Fill the tables `create` made: meta, sources, actors, the records given (in that order), every link and index."""
    connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    connection.executemany(
        f"INSERT INTO sources VALUES ({', '.join('?' * len(SOURCE_FIELDS))})",
        [
            tuple(_json(list(s.authors)) if name == "authors" else getattr(s, name) for name in SOURCE_FIELDS)
            for s in dataset.sources
        ],
    )
    connection.executemany(
        "INSERT INTO actors VALUES (?, ?, ?, ?, ?)",
        [(a.id, a.name, a.kind, a.country, _json(list(a.aliases))) for a in dataset.actors],
    )
    connection.executemany(
        "INSERT INTO roles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_role_row(a.id, n, role) for a in dataset.actors for n, role in enumerate(a.roles)],
    )
    split: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for record in records:
        split[record.kind].append(record)
    for kind in KINDS:
        names = columns(kind)
        connection.executemany(
            f"INSERT INTO {TABLE_OF_KIND[kind]} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [_kind_row(r) for r in split[kind]],
        )
    connection.executemany(
        "INSERT INTO citations VALUES (?, ?, ?, ?)",
        [(r.id, r.kind, c.source, c.paragraph) for r in records for c in r.sources],
    )
    connection.executemany(
        "INSERT INTO record_actors VALUES (?, ?, ?, ?, ?)", [x for r in records for x in _actor_links(r)]
    )
    connection.executemany(
        "INSERT INTO disputes VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (r.id, r.kind, d.field, n, g.value, _json(_citations(g.sources)), d.note)
            for r in records
            for d in r.disputes
            for n, g in enumerate(d.readings)
        ],
    )
    index_rows = []
    text_rows = []
    for rid, record in enumerate(records, start=1):
        first, last, long = span_days(record)
        kind_type = record.type if isinstance(record, Agreement) else None
        row = payload(record)
        shown = json_members(record)
        words = record_text(record)
        index_rows.append(
            (
                *(rid, record.id, record.kind, record.category, kind_type, first, last, long),
                *(row, zlib.crc32(row.encode("utf-8"))),
                *(shown, zlib.crc32(shown.encode("utf-8"))),
                *(words, zlib.crc32(words.encode("utf-8"))),
            )
        )
        text_rows.append(
            (
                rid,
                record.id,
                record.kind,
                record.title,
                record.summary,
                "; ".join(record.aliases),
                "; ".join(record.names()),
                folded_words(record),
            )
        )
    connection.executemany("INSERT INTO store_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", index_rows)
    connection.executemany(
        "INSERT INTO records_fts (rowid, id, kind, title, summary, aliases, names, folded) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        text_rows,
    )


# ---------------------------------------------------------------------------
# Full-text queries
# ---------------------------------------------------------------------------


def _phrase(token: str) -> str:
    """A token as an FTS5 string."""
    return '"' + token.replace('"', '""') + '"'


def fts_query(text: str) -> str | None:
    """An FTS5 query on `folded` that finds at least every record `relations search` would find for `text`.

    None when the search cannot narrow anything (an alternative made only of excluded words). Excluded
    words are left to the exact check; the rest is each alternative's words, all of them, whole words
    in their normalised spelling and `prefix*` in each of its spellings.
    """
    from relations_cli.query import parse_search, prefix_spellings

    groups = parse_search(text)
    alternatives = []
    for group in groups:
        parts = []
        for term in group:
            if term.negated:
                continue
            *whole, last = term.tokens
            parts += [_phrase(t) for t in whole]
            if term.prefix:
                parts.append("(" + " OR ".join(_phrase(p) + "*" for p in prefix_spellings(last)) + ")")
            else:
                parts.append(_phrase(last))
        if not parts:
            return None
        alternatives.append("(" + " AND ".join(parts) + ")")
    if not alternatives:
        return None
    return "folded : (" + " OR ".join(alternatives) + ")"


# ---------------------------------------------------------------------------
# Export finishing
# ---------------------------------------------------------------------------

_SCHWA_MAX = 4  # words with up to this many a's get every spelling with ə; longer ones only all-a and all-ə


def schwa_spellings(folded: str) -> str:
    """The words of a `folded` column with each spelling that writes ə for a (`heydar` also as `heydər`).

    SQLite's tokenizer folds case and accents but not ə, so an export's own `MATCH 'Heydər'` finds
    a record only if the index holds that spelling too.
    """
    from itertools import combinations

    words = folded.split()
    extra: set[str] = set()
    for word in words:
        places = [i for i, c in enumerate(word) if c == "a"]
        if not places:
            continue
        if len(places) > _SCHWA_MAX:
            extra.add(word.replace("a", "ə"))
            continue
        for size in range(1, len(places) + 1):
            for chosen in combinations(places, size):
                letters = list(word)
                for i in chosen:
                    letters[i] = "ə"
                extra.add("".join(letters))
    return " ".join([*words, *sorted(extra - set(words))])


def finish_export(connection: sqlite3.Connection, selected: Sequence[str] | None, meta: dict[str, str]) -> list[str]:
    """Make a copy of the store (or a fresh fill) an export: keep only `selected` records, in that order.

    Replaces meta, drops the store-only tables, adds the ə spellings to the full-text index and
    vacuums. Returns the problems `integrity_check` and `foreign_key_check` find (none expected).
    `selected` None keeps every record.
    """
    connection.execute("DELETE FROM meta")
    connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    if selected is not None:
        connection.execute("CREATE TEMP TABLE keep (pos INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)")
        connection.executemany("INSERT INTO keep (id) VALUES (?)", ((i,) for i in selected))
        fts = "id, kind, title, summary, aliases, names, folded"
        connection.execute(
            f"CREATE TEMP TABLE words AS SELECT k.pos, {', '.join('f.' + c for c in fts.split(', '))} "
            "FROM main.records_fts f JOIN temp.keep k ON k.id = f.id"
        )
        connection.execute("DELETE FROM records_fts")
        connection.execute(f"INSERT INTO records_fts (rowid, {fts}) SELECT pos, {fts} FROM temp.words ORDER BY pos")
        connection.execute("DROP TABLE temp.words")
        for table in (*(TABLE_OF_KIND[k] for k in KINDS), "citations", "record_actors", "disputes"):
            key = "id" if table in TABLE_OF_KIND.values() else "record_id"
            connection.execute(
                f"CREATE TEMP TABLE reordered AS SELECT t.* FROM main.{table} t JOIN temp.keep k ON k.id = t.{key} "
                "ORDER BY k.pos, t.rowid"
            )
            connection.execute(f"DELETE FROM main.{table}")
            connection.execute(f"INSERT INTO main.{table} SELECT * FROM temp.reordered")
            connection.execute("DROP TABLE temp.reordered")
        connection.execute("DROP TABLE temp.keep")
    for table in STORE_TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    connection.create_function("schwa_spellings", 1, schwa_spellings, deterministic=True)
    connection.execute("UPDATE records_fts SET folded = schwa_spellings(folded)")
    connection.execute("INSERT INTO records_fts (records_fts) VALUES ('optimize')")
    connection.commit()
    connection.execute("ANALYZE")  # fresh statistics for the rows kept (the store's own go with them)
    connection.commit()
    connection.execute("VACUUM")
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        problems.append(f"{len(broken)} rows name a source or actor that is not in the dataset")
    return problems
