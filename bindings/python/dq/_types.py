"""Types the package's signatures share."""
from __future__ import annotations

import os
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]  # a file path, as str or pathlib.Path
