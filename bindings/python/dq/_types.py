"""Types the package's signatures share."""
from __future__ import annotations

import os
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]  # a file path, as str or pathlib.Path


def _deprecated(old: str, new: str) -> None:
    """Warns that `old` is kept only for earlier code; `new` is the name now."""
    import warnings

    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)
