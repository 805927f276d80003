"""A contract as distributed engines ship it: its text, read and checked where
the job is built (a broken contract fails there, with its file:line:col), and
compiled again on each worker (dq.beam, dq.spark)."""
from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Tuple

from ._api import loads
from ._types import PathLike


# Contracts compiled in this process, by source: a worker compiles each once
# and reuses it for every task it runs.
_COMPILED: Dict[Tuple[Any, ...], Any] = {}


class ContractSource:
    """A contract as text, read and checked where the pipeline is built (so a
    broken contract fails there, with its file:line:col), compiled on each
    worker."""

    def __init__(self, path: PathLike, params: Optional[Mapping[str, Any]]):
        self.path = os.fspath(path)
        with open(self.path, encoding="utf-8") as f:
            self.text = f.read()
        self.params = dict(params or {})
        contract = self.compile()
        self.dataset, self.version = contract.dataset, contract.version
        baseline = contract.drift_baseline
        self.baseline_path = os.path.join(os.path.dirname(self.path), baseline) if baseline else ""

    def compile(self):
        return loads(self.text, params=self.params, name=self.path)

    def compiled(self):
        """The compiled contract, once per process."""
        key = (self.path, self.text, tuple(sorted((k, str(v)) for k, v in self.params.items())))
        contract = _COMPILED.get(key)
        if contract is None:
            contract = _COMPILED[key] = self.compile()
        return contract
