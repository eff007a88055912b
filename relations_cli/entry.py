"""The console entry point: plain listing queries skip loading Typer, everything else goes through it.

Scripts call `relations aid --year 2010 --format json` thousands of times, and importing Typer
costs more than answering the query. This module recognises the common, well-formed listing
invocations (`events`, `aid`, `agreements`, `search` and `show` with the options `options.OPTIONS`
gives them) and runs them through `relations_cli.runtime`, the same code the Typer commands call.
Anything it does not recognise with certainty (help, completion, a typo, a value its converter
refuses, a flag it does not know) goes to the full Typer app, which owns every error message. A
test checks that both paths print the same for the same arguments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from relations_cli.model import Data
from relations_cli.options import LISTINGS, ROOT, Option, defaults, flags_of, is_excluded_word

# The commands this module runs itself: the listings, and `show ID` (which reads one row of a store).
QUICK: frozenset[str] = frozenset({*LISTINGS, "show"})

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    from typing import Any


class Parsed(Data):
    """A listing invocation, understood with certainty."""

    _fields = ("command", "words", "values")

    def __init__(self, command: str, words: list[str] | None = None, values: dict[str, Any] | None = None) -> None:
        """A command, its search words and its option values."""
        self.command = command
        self.words: list[str] = [] if words is None else words
        self.values: dict[str, Any] = {} if values is None else values


def _convert(option: Option, value: str) -> tuple[bool, Any]:
    """Convert a value as the Typer app would: (True, value), or (False, None) when it would refuse it."""
    try:
        if option.convert is not None:
            return True, option.convert(value)
        return True, option.type(value)
    except ValueError:
        return False, None


def _take(args: list[str], flags: dict[str, Option], given: dict[str, list[Any]]) -> bool:
    """Consume one option (and its value) from the front of `args`; False when it is not understood."""
    name, has_value, value = args.pop(0).partition("=")
    option = flags.get(name)
    if option is None or option.eager or (has_value and (option.is_flag or not name.startswith("--"))):
        return False
    if option.is_flag:
        given.setdefault(option.dest, []).append(True)
        return True
    if not has_value:
        if not args:
            return False
        value = args.pop(0)
    ok, converted = _convert(option, value)
    if ok:
        given.setdefault(option.dest, []).append(converted)
    return ok


def parse(argv: Sequence[str]) -> Parsed | None:
    """Understand a plain listing invocation, or return None to leave it to the full app."""
    args = list(argv)
    given: dict[str, list[Any]] = {}
    root = flags_of(ROOT)
    while args and args[0].startswith("-"):
        if not _take(args, root, given):
            return None
    if not args or args[0] not in QUICK:
        return None
    parsed = Parsed(args.pop(0))
    flags = flags_of(parsed.command)
    while args:
        token = args[0]
        if parsed.command == "search" and is_excluded_word(flags, token):
            parsed.words.append(args.pop(0))
        elif token.startswith("-") and token != "-":
            if not _take(args, flags, given):
                return None
        elif parsed.command == "search" or (parsed.command == "show" and not parsed.words):
            parsed.words.append(args.pop(0))
        else:
            return None
    if parsed.command in ("search", "show") and not parsed.words:
        return None
    options = {o.dest: o for o in flags.values()}
    parsed.values = defaults(parsed.command)
    for dest, items in given.items():
        parsed.values[dest] = options[dest].collect(items)
    return parsed


def run_parsed(parsed: Parsed) -> int:
    """Run a parsed invocation through the shared command code; return the exit code."""
    from relations_cli.runtime import ExitCode, State, Stop, list_records, show

    try:
        state = State().given(parsed.values)
        if parsed.command == "show":
            show(state, parsed.words[0], parsed.values)
        else:
            list_records(state, parsed.command, parsed.values, parsed.words)
    except Stop as stop:
        return stop.code if isinstance(stop.code, int) else ExitCode.DATASET_ERROR
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run `relations`: the quick path for plain listing queries, the full Typer app for the rest.

    Run as a program (no `argv` given), a store built for a new or edited dataset is written after
    the answer, by a detached child process (`store.write_pending`), so the first query is not delayed.
    The cyclic garbage collector is off: a run lasts a moment and makes no cycles worth finding, while
    each collection would walk every record loaded (7 ms for a few thousand records). And once the
    output is flushed, the process ends without freeing its objects one by one (`leave`).
    """
    if argv is not None:
        return _main(list(argv))
    import gc

    gc.disable()
    from relations_cli import store

    store.build_later()
    try:
        code = _main(sys.argv[1:])
    finally:
        store.write_pending()
    leave(code)
    return code


def leave(code: int) -> None:
    """End the process with `code` at once once stdout and stderr are flushed; return when they cannot be.

    Python's own exit frees every object of the run, one at a time: 15 ms after a search that printed
    a few thousand records. Nothing is left to do at exit (no `atexit` work, no open file being
    written); when a flush fails, the usual exit reports it.
    """
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _main(args: list[str]) -> int:
    """Run `relations` with these arguments."""
    completing = any(k.endswith("_COMPLETE") for k in os.environ)
    parsed = None if completing or sys.stdout is None else parse(args)
    if parsed is not None:
        from relations_cli.runtime import ENDINGS, ended, paging, prepare_streams

        prepare_streams()
        try:
            with paging(not parsed.values.get("no_pager")):
                code = run_parsed(parsed)
                sys.stdout.flush()
                return code
        except ENDINGS as exc:
            return ended(exc)
    from relations_cli.cli.app import main as full_main

    return full_main(args)
