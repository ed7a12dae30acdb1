"""Size limits for the client package (langchain_qwen/ without testing/): no function over 50 lines, no radon grade
above C; the emulator (testing/): no function over 60 lines. Prints offenders and exits 1 if there are any."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parent.parent / "langchain_qwen"
CLIENT_LINES, EMULATOR_LINES = 50, 60


def offenders() -> list[str]:
    out: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        emulator = "testing" in path.relative_to(ROOT).parts
        limit = EMULATOR_LINES if emulator else CLIENT_LINES
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    out.append(f"{path}:{node.lineno}: {node.name} is {lines} lines (limit {limit})")
        if not emulator:
            for block in cc_visit(source):
                if cc_rank(block.complexity) > "C":
                    out.append(f"{path}:{block.lineno}: {block.name} has radon grade {cc_rank(block.complexity)}")
    return out


if __name__ == "__main__":
    found = offenders()
    print("\n".join(found) or "limits: ok")
    sys.exit(1 if found else 0)
