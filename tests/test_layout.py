"""The code stays readable top to bottom: rooms of bounded size, functions a screen long.

Limits from the architecture issue: no module in ``src/kzwatch`` over ~600 lines, no function
over ~60 lines unless a comment in it says why (a line containing ``long:`` near its top).
Complexity (McCabe ≤ 12) is ruff's check in ``.ci/run``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kzwatch"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_module_over_600_lines():
    big = {str(p.relative_to(SRC)): n for p in _modules() if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES}
    assert not big, f"split these modules: {big}"


def test_no_function_over_60_lines_without_a_reason():
    long = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                head = "\n".join(lines[node.lineno - 1:node.lineno + 8])
                if length > MAX_FUNCTION_LINES and "long:" not in head:
                    long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, "shorten these, or say why in a 'long:' comment near the top:\n" + "\n".join(long)
