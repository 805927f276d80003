"""What the CLI tests share: the repository root and running the dq binary under test."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DQ = os.environ.get("DQ_BIN", str(ROOT / "build/dev/dq"))


def dq(*args, stdin=None, timeout=300):
    return subprocess.run([DQ, *map(str, args)], input=stdin, capture_output=True, timeout=timeout)
