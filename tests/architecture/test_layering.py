"""Dependencies point inward (DESIGN.md): checked by reading every module's imports, without importing it."""

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
STDLIB = frozenset(sys.stdlib_module_names)

# drivers and renderers: only the adapters, the composition root and the CLI touch them
DRIVERS = frozenset(
    {"sqlite3", "sqlalchemy", "alembic", "jwt", "segno", "PIL", "httpx", "aiohttp", "psycopg", "asyncpg", "zxingcpp"}
)
MAY_USE_DRIVERS = ("kasse.adapters", "kasse.bootstrap", "kasse.cli")
SDK_DRIVERS = frozenset({"httpx"})

# a layer, and the kasse packages besides the standard library that its modules may import
INNER_LAYERS: dict[str, tuple[str, ...]] = {
    "kasse.domain": ("kasse.domain",),
    "kasse.services": ("kasse.domain", "kasse.services"),
}


# known breaches, each reported to the lead; a strict xfail fails the run once the module is fixed,
# so the entry must then be deleted
KNOWN_BREACHES: dict[str, str] = {}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / "kasse").rglob("*.py"))}


def imports_of(module: str, path: Path) -> set[str]:
    """Return the absolute names a module imports, TYPE_CHECKING blocks and relative imports included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            found.add(".".join([*base, node.module] if node.module else base))
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# entrypoints talk to storage through the UnitOfWork port, never through a backend or its repositories
ENTRYPOINTS = ("kasse.api", "kasse.wallet", "kasse.pos")
STORAGE = ("kasse.adapters.sql.repositories", "kasse.adapters.sqlite", "kasse.adapters.postgres")


def refusal(module: str, imported: str) -> str | None:
    """Return why `module` may not import `imported`, or None if it may."""
    top = imported.partition(".")[0]
    if within(module, ENTRYPOINTS) and within(imported, STORAGE):
        return "entrypoints reach storage through kasse.services.ports.UnitOfWork"
    for layer, allowed in INNER_LAYERS.items():
        if within(module, (layer,)) and top not in STDLIB and not within(imported, allowed):
            return f"{layer} may import only the standard library and {', '.join(allowed)}"
    if top in DRIVERS and not within(module, MAY_USE_DRIVERS):
        if within(module, ("kasse.sdk",)) and top in SDK_DRIVERS:
            return None
        return f"only {', '.join(MAY_USE_DRIVERS)} may import drivers ({top})"
    return None


def cases() -> list[object]:
    return [
        pytest.param(m, p, id=m, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BREACHES[m]))
        if m in KNOWN_BREACHES else pytest.param(m, p, id=m)
        for m, p in sorted(modules().items())
    ]


@pytest.mark.parametrize(("module", "path"), cases())
def test_each_module_imports_only_what_its_layer_may(module: str, path: Path) -> None:
    broken = {name: why for name in sorted(imports_of(module, path)) if (why := refusal(module, name))}

    assert not broken, f"{module} breaks the layering: {broken}"


@pytest.mark.parametrize(
    ("module", "imported", "allowed"),
    [
        ("kasse.domain.money", "dataclasses", True),
        ("kasse.domain.money", "kasse.domain.errors", True),
        ("kasse.domain.money", "kasse.services.ports", False),
        ("kasse.domain.money", "orjson", False),
        ("kasse.services.payments", "kasse.domain.payment", True),
        ("kasse.services.payments", "kasse.adapters.sql.repositories", False),
        ("kasse.services.payments", "sqlite3", False),
        ("kasse.api.app", "fastapi", True),
        ("kasse.api.app", "sqlalchemy.engine", False),
        ("kasse.api.app", "httpx", False),
        ("kasse.api.routes.payments", "kasse.adapters.sql.repositories", False),
        ("kasse.wallet.pages", "kasse.adapters.sqlite.database", False),
        ("kasse.api.routes.payments", "kasse.services.ports", True),
        ("kasse.worker", "PIL.Image", False),
        ("kasse.adapters.sql.tables", "sqlalchemy", True),
        ("kasse.bootstrap", "jwt", True),
        ("kasse.sdk._client", "httpx", True),
        ("kasse.sdk._client", "segno", False),
    ],
)
def test_the_rules_tell_allowed_from_forbidden_imports(module: str, imported: str, allowed: bool) -> None:
    assert (refusal(module, imported) is None) is allowed


@pytest.mark.parametrize("module", sorted(KNOWN_BREACHES))
def test_every_known_breach_names_a_module_that_exists(module: str) -> None:
    assert module in modules(), f"{module} is gone: delete it from KNOWN_BREACHES"


def test_relative_imports_are_resolved_against_the_package(tmp_path: Path) -> None:
    path = tmp_path / "payment.py"
    path.write_text(
        "from . import money\nfrom .errors import X\nfrom ..services import ports\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sqlalchemy\n"
    )

    found = imports_of("kasse.domain.payment", path)

    assert found == {"kasse.domain", "kasse.domain.errors", "kasse.services", "typing", "sqlalchemy"}
