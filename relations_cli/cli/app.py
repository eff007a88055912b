"""The root `relations` app: the global options, the command families joined, and the console main()."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from relations_cli.cli import citations, exporting, listing, overviews, records
from relations_cli.cli.shared import takes_options
from relations_cli.options import PROG, ROOT, idiom, wants_pager
from relations_cli.runtime import (
    ENDINGS,
    ExitCode,
    State,
    Values,
    ended,
    paging,
    prepare_streams,
    version_text,
)


class RootGroup(TyperGroup):
    """The root command: keeps its arguments, so that --version can read the --data given beside it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # ctx: Click's Context, private in Typer
        """Keep the arguments in ctx.meta, then parse as usual."""
        ctx.meta["relations_args"] = list(args)
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=RootGroup,
    name=PROG,
    help="Exact, citable facts about the relations between Pakistan and Azerbaijan.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
for family in (records, listing, overviews, citations, exporting):
    app.add_typer(family.app)


def _root_state(args: Sequence[str]) -> State:
    """The global options among the root's arguments (before the command), read before Click gets to them."""
    data: Path | None = None
    cache = True
    tokens = list(args)
    while tokens and tokens[0].startswith("-"):
        token = tokens.pop(0)
        name, has_value, value = token.partition("=")
        if name == "--data":
            if not has_value:
                if not tokens:
                    break
                value = tokens.pop(0)
            data = Path(value)
        elif token == "--no-cache":
            cache = False
    return State(data=data, cache=cache)


def version_callback(ctx: typer.Context, value: bool) -> None:
    """Print the tool's version, the dataset's version and its newest source date, and stop."""
    if value:
        state = _root_state(ctx.find_root().meta.get("relations_args", ()))
        sys.stdout.write(version_text(state) + "\n")
        raise typer.Exit(ExitCode.OK)


@app.callback()
@takes_options(ROOT, callbacks={"version": version_callback})
def root(ctx: typer.Context, values: Values) -> None:
    """Exact, citable facts about the relations between Pakistan and Azerbaijan."""
    ctx.obj = State().given(values)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app, mapping usage errors to exit 2, Ctrl-C to 130 and a closed pipe to 0."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption, UsageError

    if sys.stdout is None or sys.stderr is None:
        if sys.stderr is not None:
            sys.stderr.write(f"{PROG}: error: standard output is closed\n")
        return ExitCode.DATASET_ERROR
    prepare_streams()
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with paging(wants_pager(args)):
            code = command.main(args=args, prog_name=PROG, standalone_mode=False)
            sys.stdout.flush()
    except NoArgsIsHelpError as exc:
        sys.stderr.write(exc.format_message() + "\n")
        return ExitCode.USAGE
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else PROG
        message = exc.format_message()
        if isinstance(exc, NoSuchOption) and exc.ctx is not None:
            meant = idiom(exc.ctx.info_name or "", exc.option_name)
            if meant is not None:
                message = f"No such option: {exc.option_name}; did you mean {meant}?"
        sys.stderr.write(f"{PROG}: error: {message}\nTry '{where} --help' for help.\n")
        return ExitCode.USAGE
    except ClickException as exc:
        sys.stderr.write(f"{PROG}: error: {exc.format_message()}\n")
        return exc.exit_code
    except ENDINGS as exc:
        return ended(exc)
    except SystemExit as exc:  # an EPIPE inside Click's own output exits through here
        return exc.code if isinstance(exc.code, int) else ExitCode.DATASET_ERROR
    return code if isinstance(code, int) else ExitCode.OK
