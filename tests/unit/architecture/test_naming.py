"""Names say what they do (STYLE.md): a guard that raises is `check_…`, a `can_…`/`is_…` answers with a bool.

A newcomer's `if can_capture(...)` must branch; a function that returns None and raises on refusal would
make that line always false. Checked by reading every module, without importing it.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src"
PREDICATE_PREFIXES = ("can_", "is_")


def predicates() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for path in sorted((SRC / "kasse").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(PREDICATE_PREFIXES):
                found.append((f"{path.relative_to(SRC)}:{node.lineno} {node.name}", node))
    return found


@pytest.mark.parametrize(("where", "function"), predicates(), ids=[where for where, _ in predicates()])
def test_a_can_or_is_function_returns_a_bool(where: str, function: ast.FunctionDef) -> None:
    returns = ast.unparse(function.returns) if function.returns is not None else None

    assert returns == "bool", f"{where} returns {returns}: a guard that raises is named check_…"


def test_the_payment_guards_are_named_for_what_they_do() -> None:
    from kasse.domain import payment

    assert all(hasattr(payment, f"check_{op}") for op in ("capture", "refund", "cancel", "approve"))
    assert not any(hasattr(payment, f"can_{op}") for op in ("capture", "refund", "cancel", "approve"))
