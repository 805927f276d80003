#!/usr/bin/env python3
"""The floors of src/ only look down: every `#include "floor/..."` in a file
of one floor names that floor or one of those it stands on. Fails (exit 1)
listing each include that looks up. The table is the architecture
(docs/architecture.md); public headers (`dq/...`) are open to every floor."""
import pathlib
import re
import sys

# Each floor and the floors below it that it may include.
FLOORS = {
    "base": [],
    "spec": ["base"],
    "compile": ["spec", "base"],
    "governance": ["compile", "spec", "base"],
    # Screens: C++ generated from a compiled program, which the engine takes when linked.
    "codegen": ["compile", "spec", "base"],
    "engine": ["codegen", "compile", "spec", "base"],
    "profile": ["engine", "codegen", "compile", "spec", "base"],
    "grading": ["engine", "codegen", "compile", "spec", "base"],
    # dq infer reads sample data itself and writes contract text; --update reads the old contract's spec.
    "infer": ["spec", "base"],
    "report": ["profile", "engine", "codegen", "compile", "spec", "base"],
    "io": ["report", "profile", "engine", "codegen", "compile", "spec", "base"],
    "adapters": ["io", "report", "grading", "profile", "engine", "codegen", "compile", "spec", "base"],
    # The library's face (src/contract.cpp, src/status.cpp) stands on every floor.
    ".": ["adapters", "io", "report", "grading", "infer", "profile", "engine", "codegen", "governance", "compile", "spec", "base"],
    # The command line and the bindings use the public headers only.
    "cli": [],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent / "src"
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        floor = path.parent.relative_to(root).as_posix()
        if floor not in FLOORS:
            problems.append(f"src/{path.relative_to(root)}: folder '{floor}' is not in the table of floors")
            continue
        allowed = {floor, "dq", *FLOORS[floor]}
        for match in INCLUDE.finditer(path.read_text(encoding="utf-8")):
            target = match.group(1)
            if target not in allowed:
                line = path.read_text(encoding="utf-8").count("\n", 0, match.start()) + 1
                problems.append(f"src/{path.relative_to(root)}:{line}: the {floor} floor includes {target}/, "
                                f"which is not below it (allowed: {', '.join(FLOORS[floor]) or 'none'})")
    bindings = pathlib.Path(__file__).resolve().parent.parent / "bindings"
    for path in sorted([*bindings.rglob("*.cpp"), *bindings.rglob("*.h")]):
        for match in INCLUDE.finditer(path.read_text(encoding="utf-8")):
            if match.group(1) != "dq":
                problems.append(f"{path.relative_to(bindings.parent)}: the bindings include {match.group(1)}/, "
                                "not a public header")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
