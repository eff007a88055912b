"""Typer parameters built from the option table, shell completion, and the state of an invocation.

`takes_options("events")` gives a command function the options `options.OPTIONS` lists for
`events`: it sets the function's `__signature__` and `__annotations__` so that Typer sees one real
parameter per option, and hands the body the parsed values, by destination, as `values`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar, get_type_hints

import typer

from relations_cli.dataset import DatasetError, resolve_path
from relations_cli.model import Dataset
from relations_cli.options import Option, kinds_of, options_for
from relations_cli.query import fold
from relations_cli.runtime import State, Values

F = TypeVar("F", bound=Callable[..., None])


def state_of(ctx: typer.Context, values: Values) -> State:
    """The global options of this invocation, given before or after the command."""
    root = ctx.find_root().obj
    return (root if isinstance(root, State) else State()).given(values)


def _data_of(ctx: typer.Context) -> Path | None:
    """The `--data` given so far, after the command or before it."""
    data = ctx.params.get("data") or ctx.find_root().params.get("data")
    return Path(data) if data else None


def _dataset_of(ctx: typer.Context) -> Dataset | None:
    """The dataset in use, for completion; None when it cannot be read."""
    try:
        from relations_cli.store import load_cached

        return load_cached(resolve_path(_data_of(ctx)), use_cache=True)
    except (DatasetError, OSError):
        return None


def _starting(values: Iterable[str], incomplete: str) -> list[str]:
    """The values that start with what was typed, case- and accent-blind, each once, in order."""
    typed = fold(incomplete)
    return [v for v in dict.fromkeys(values) if fold(v).startswith(typed)]


def complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of `show` and `cite`: ids of records, actors and sources, and actors' names."""
    dataset = _dataset_of(ctx)
    if dataset is None:
        return []
    ids = [*(r.id for r in dataset.records()), *(a.id for a in dataset.actors), *(s.id for s in dataset.sources)]
    return _starting([*ids, *(a.name for a in dataset.actors)], incomplete)


def complete_actor(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of --actor, --donor and --recipient: actor ids and names."""
    dataset = _dataset_of(ctx)
    if dataset is None:
        return []
    return _starting([*(a.id for a in dataset.actors), *(a.name for a in dataset.actors)], incomplete)


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion: source ids that start with what was typed."""
    dataset = _dataset_of(ctx)
    return [] if dataset is None else [s.id for s in dataset.sources if s.id.startswith(incomplete)]


def complete_choices(option: Option, command: str) -> Callable[[str], list[str]]:
    """Shell completion of an option's closed list, only the values that fit this command's kinds."""
    assert option.choices is not None
    valid = list(option.choices(kinds_of(command)))

    def complete(incomplete: str) -> list[str]:
        """Values that start with what was typed, in any case."""
        return [v for v in valid if v.startswith(incomplete.lower())]

    return complete


def typer_parser(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """A Typer parser for a table converter: its ValueError becomes a usage error naming the option."""

    def parse(value: str) -> Any:
        """Convert one typed value."""
        if not isinstance(value, str):  # Click may pass a value it converted already
            return value
        try:
            return convert(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    parse.convert = convert  # type: ignore[attr-defined]  # for the test that checks the table
    return parse


def typer_parameter(option: Option, command: str, callbacks: Mapping[str, Callable[..., Any]]) -> inspect.Parameter:
    """The Typer parameter of one table row, for one command."""
    completion: Callable[..., list[str]] | None = None
    if option.complete == "choices":
        completion = complete_choices(option, command)
    elif option.complete == "source":
        completion = complete_source
    elif option.complete == "actor":
        completion = complete_actor
    info = typer.Option(
        *option.flags,
        help=option.help,
        metavar=option.metavar,
        parser=typer_parser(option.convert) if option.convert else None,
        autocompletion=completion,
        callback=callbacks.get(option.dest),
        is_eager=option.eager,
        show_default=option.default is not None,
    )
    element: Any = str if option.convert else option.type
    annotation: Any
    if option.is_flag:
        annotation, default = bool, False
    elif option.repeatable:
        annotation, default = Optional[list[element]], None
    else:
        annotation, default = Optional[element], option.default
    return inspect.Parameter(
        option.dest, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[annotation, info]
    )


def takes_options(command: str, callbacks: Mapping[str, Callable[..., Any]] | None = None) -> Callable[[F], F]:
    """Give a command function the table's options for `command`; the body receives them as `values`."""
    table = options_for(command)

    def decorate(body: F) -> F:
        """Build the signature Typer reads: the body's own parameters, then one per option."""
        hints = get_type_hints(body, include_extras=True)
        own = [
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in inspect.signature(body).parameters.values()
            if p.name != "values"
        ]
        params = own + [typer_parameter(o, command, callbacks or {}) for o in table]

        def command_function(**kwargs: Any) -> None:
            """Collect the option values by destination and run the body."""
            values: dict[str, Any] = {}
            for option in table:
                raw = kwargs.pop(option.dest)
                values[option.dest] = option.collect(raw or ()) if option.repeatable else raw
            body(**kwargs, values=values)

        command_function.__name__ = body.__name__
        command_function.__qualname__ = body.__qualname__
        command_function.__doc__ = body.__doc__
        command_function.__module__ = body.__module__
        command_function.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
        command_function.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
        return command_function  # type: ignore[return-value]

    return decorate


def id_argument(help_text: str, *, many: bool = False) -> Any:
    """An id argument (one, or `ID...` when `many`) that completes ids."""
    metavar = "ID..." if many else "ID"
    return typer.Argument(metavar=metavar, help=help_text, autocompletion=complete_id, show_default=False)
