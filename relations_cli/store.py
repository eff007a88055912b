"""Loading a dataset, through a cache of the validated records when the file is large."""

from __future__ import annotations

from pathlib import Path

from relations_cli.dataset import load
from relations_cli.model import Dataset


def load_cached(path: Path, *, use_cache: bool = True) -> Dataset:
    """Load and validate the dataset at `path`."""
    return load(path)
