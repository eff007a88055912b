"""The Typer front end: one module per command family, joined in `app`.

- `listing`: events, aid, agreements, search
- `records`: show, sources, validate
- `overviews`: timeline, summary, categories
- `citations`: cite
- `exporting`: export
- `shared`: Typer parameters built from `options.OPTIONS`, completion, the state of an invocation
- `app`: the root app, its global options, and `main()`
"""
