"""The SDK's private modules follow one naming rule (sdk/__init__.py): models apart from resources.

`_<api>_models.py` holds the data (frozen dataclasses and enums) and does no I/O; `_<api>s.py` holds the
resource behind `client.<api>s` and defines no data of its own. Checked by reading the modules.
"""

import ast
from pathlib import Path

import pytest

SDK = Path(__file__).resolve().parents[3] / "src" / "kasse" / "sdk"
SENDING = ("kasse.sdk._core", "kasse.sdk._call", "httpx")  # what a module needs to send anything
MODEL_BASES = {"StrEnum", "Enum", "IntEnum"}


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def defines_data(module: ast.Module) -> list[str]:
    """Return the classes that are dataclasses or enums."""
    found = []
    for node in module.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {ast.unparse(b) for b in node.bases}
        decorators = {ast.unparse(d).split("(")[0] for d in node.decorator_list}
        if bases & MODEL_BASES or "dataclass" in decorators:
            found.append(node.name)
    return found


def is_resource(module: ast.Module) -> bool:
    """Whether the module defines a class built on the sending core (`client.payments` and its kind)."""
    return any(isinstance(node, ast.arg) and node.annotation is not None
               and ast.unparse(node.annotation) in ("SyncCore", "AsyncCore") for node in ast.walk(module))


def imports(module: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


MODEL_MODULES = sorted(SDK.glob("_*_models.py"))
RESOURCE_MODULES = [p for p in sorted(SDK.glob("_*.py")) if is_resource(tree(p)) and p.name != "_client.py"]


def test_every_api_has_its_models_and_its_resource() -> None:
    assert {p.name for p in MODEL_MODULES} >= {"_payment_models.py", "_payment_request_models.py",
                                               "_qr_models.py", "_receipt_models.py", "_webhook_models.py"}
    assert {p.name for p in RESOURCE_MODULES} >= {"_payments.py", "_qr.py", "_receipts.py", "_webhooks.py"}


@pytest.mark.parametrize("path", MODEL_MODULES, ids=lambda p: p.name)
def test_a_models_module_sends_nothing(path: Path) -> None:
    sending = imports(tree(path)) & set(SENDING)

    assert not sending, f"{path.name} imports {sending}: the calls go in _<api>_calls.py or the resource"


@pytest.mark.parametrize("path", RESOURCE_MODULES, ids=lambda p: p.name)
def test_a_resource_module_defines_no_models(path: Path) -> None:
    data = defines_data(tree(path))

    assert not data, f"{path.name} defines {data}: models go in a _<api>_models.py"
