"""The console entry point: plain listing queries skip loading Typer, everything else goes through it.

Scripts call `relations aid --year 2010 --format json` thousands of times, and importing Typer
costs more than answering the query. This module recognises the common, well-formed listing
invocations (`events`, `aid`, `agreements`, `search` with their filter and output options) and
runs them through `relations_cli.commands`, the same code the Typer commands call. Anything it
does not recognise with certainty (help, completion, a typo, a value that is not a number, a
flag it does not know) goes to the full Typer app, which owns every error message. A test
checks that both paths print the same for the same arguments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Per option: the name of the Filters/command parameter, whether it repeats, whether it is a year.
_VALUE_OPTIONS: dict[str, tuple[str, bool, bool]] = {
    "--year": ("year", True, True),
    "-y": ("year", True, True),
    "--from": ("year_from", False, True),
    "--to": ("year_to", False, True),
    "--category": ("category", True, False),
    "-c": ("category", True, False),
    "--actor": ("actor", False, False),
    "--donor": ("donor", False, False),
    "--recipient": ("recipient", False, False),
    "--search": ("search", False, False),
    "-s": ("search", False, False),
    "--source": ("source", False, False),
    "--sort": ("sort", False, False),
    "--limit": ("limit", False, False),
    "--format": ("fmt", False, False),
    "-f": ("fmt", False, False),
    "--fields": ("fields", False, False),
}
_COMMON = {"year", "year_from", "year_to", "category", "source", "sort", "limit", "fmt", "fields"}
# The options each listing command accepts, mirroring its Typer signature in cli.py.
OPTIONS: dict[str, frozenset[str]] = {
    "events": frozenset(_COMMON | {"actor", "search"}),
    "aid": frozenset(_COMMON | {"donor", "recipient", "search"}),
    "agreements": frozenset(_COMMON | {"actor", "search"}),
    "search": frozenset(_COMMON | {"actor", "donor", "recipient"}),
}


@dataclass
class Parsed:
    """A listing invocation, understood with certainty."""

    command: str
    data: Path | None = None
    cache: bool = True
    text: str | None = None
    cite: bool = False
    values: dict[str, Any] = field(default_factory=dict)


def parse(argv: Sequence[str]) -> Parsed | None:
    """Understand a plain listing invocation, or return None to leave it to the full app."""
    args = list(argv)
    data: Path | None = None
    cache = True
    while args and args[0].startswith("-"):
        token = args.pop(0)
        if token == "--no-cache":
            cache = False
        elif token == "--data" and args:
            data = Path(args.pop(0))
        elif token.startswith("--data="):
            data = Path(token.removeprefix("--data="))
        else:
            return None
    if not args or args[0] not in OPTIONS:
        return None
    parsed = Parsed(args.pop(0), data, cache)
    allowed = OPTIONS[parsed.command]
    while args:
        token = args.pop(0)
        if token == "--cite":
            parsed.cite = True
            continue
        if not token.startswith("-") or token == "-":
            if parsed.command != "search" or parsed.text is not None:
                return None
            parsed.text = token
            continue
        name, has_value, value = token.partition("=")
        if name not in _VALUE_OPTIONS or (has_value and not name.startswith("--")):
            return None
        dest, repeats, is_year = _VALUE_OPTIONS[name]
        if dest not in allowed:
            return None
        if not has_value:
            if not args:
                return None
            value = args.pop(0)
        converted = _convert(dest, value, is_year)
        if converted is None:
            return None
        if repeats:
            existing = parsed.values.setdefault(dest, [])
            assert isinstance(existing, list)
            existing.append(converted)
        else:
            parsed.values[dest] = converted
    if parsed.command == "search" and parsed.text is None:
        return None
    return parsed


def _convert(dest: str, value: str, is_year: bool) -> object | None:
    """Convert a value as Click would, or None when Click would reject it (it then says why)."""
    if not (is_year or dest == "limit"):
        return value
    try:
        number = int(value)
    except ValueError:
        return None
    if is_year and not 1 <= number <= 9999:
        return None
    return number


def run_parsed(parsed: Parsed) -> int:
    """Run a parsed listing invocation through the shared command code; return the exit code."""
    from relations_cli.commands import LISTINGS, Filters, State, Stop, list_records

    kinds, label = LISTINGS[parsed.command]
    values = dict(parsed.values)
    fmt = values.pop("fmt", None)
    fields = values.pop("fields", None)
    filters = Filters(**values)
    try:
        list_records(State(parsed.data, parsed.cache), kinds, label, filters, fmt, fields, parsed.text, parsed.cite)
    except Stop as stop:
        return stop.code if isinstance(stop.code, int) else 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run `relations`: the quick path for plain listing queries, the full Typer app for the rest."""
    args = list(sys.argv[1:] if argv is None else argv)
    completing = any(k.endswith("_COMPLETE") for k in os.environ)
    parsed = None if completing or sys.stdout is None else parse(args)
    if parsed is not None:
        from relations_cli.commands import prepare_streams

        prepare_streams()
        try:
            return run_parsed(parsed)
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            return 130
    from relations_cli.cli import main as full_main

    return full_main(args)
