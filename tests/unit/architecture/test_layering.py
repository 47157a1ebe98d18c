"""Dependencies point inward (DESIGN.md): checked by reading every module's imports, without importing it."""

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src"
STDLIB = frozenset(sys.stdlib_module_names)

# drivers and renderers: only the adapters, the composition root and the CLI touch them
DRIVERS = frozenset(
    {"sqlite3", "sqlalchemy", "alembic", "jwt", "segno", "PIL", "httpx", "aiohttp", "psycopg", "asyncpg", "zxingcpp"}
)
# the POS is an application of its own (it talks to kasse only through the SDK); its store is its one adapter
MAY_USE_DRIVERS = ("kasse.adapters", "kasse.bootstrap", "kasse.cli", "kasse.pos.store")
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
ENTRYPOINTS = ("kasse.api", "kasse.wallet", "kasse.pos", "kasse.console")
STORAGE = ("kasse.adapters.sql.repositories", "kasse.adapters.sqlite", "kasse.adapters.postgres")


# the composition root is for the entry points that start kasse; everything else is handed a Container
MAY_BUILD = ("kasse.cli", "kasse.server")
# what each outer package may not reach into (the HTTP layers never start pages or loops); the APIs are
# written one way, as Starlette route lists (issue #14.7), so they do not import FastAPI either
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "kasse.api": ("kasse.pos", "kasse.wallet", "kasse.workers", "kasse.server", "kasse.cli", "fastapi"),
    "kasse.api.vipps": ("kasse.api.control",),
    "kasse.wallet": ("kasse.pos", "kasse.workers", "kasse.server", "kasse.cli"),
    "kasse.pos": ("kasse.wallet", "kasse.workers", "kasse.server", "kasse.cli", "kasse.api"),
    "kasse.console": ("kasse.pos", "kasse.wallet", "kasse.workers", "kasse.server", "kasse.cli", "kasse.sdk"),
}


def refusal(module: str, imported: str) -> str | None:
    """Return why `module` may not import `imported`, or None if it may."""
    top = imported.partition(".")[0]
    if within(module, ENTRYPOINTS) and within(imported, STORAGE):
        return "entrypoints reach storage through kasse.services.ports.UnitOfWork"
    if within(imported, ("kasse.bootstrap",)) and not within(module, (*MAY_BUILD, "kasse.bootstrap")):
        return f"only {', '.join(MAY_BUILD)} import the composition root; others are handed a kasse.container.Container"
    if within(module, ("kasse.sdk",)) and top == "kasse" and not within(imported, ("kasse.sdk",)):
        return "the SDK imports nothing else of kasse (it ships on its own)"
    for package, forbidden in FORBIDDEN.items():
        if within(module, (package,)) and within(imported, forbidden):
            return f"{package} may not import {', '.join(forbidden)}"
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
        ("kasse.api.app", "fastapi", False),
        ("kasse.api.vipps.qr_callback", "fastapi.routing", False),
        ("kasse.api.app", "starlette.routing", True),
        ("kasse.api.app", "sqlalchemy.engine", False),
        ("kasse.api.app", "httpx", False),
        ("kasse.api.vipps.epayment", "kasse.adapters.sql.repositories", False),
        ("kasse.wallet.pages", "kasse.adapters.sqlite.database", False),
        ("kasse.api.vipps.epayment", "kasse.services.ports", True),
        ("kasse.workers", "PIL.Image", False),
        ("kasse.api.vipps.epayment", "kasse.api.control.clock", False),
        ("kasse.api.control.clock", "kasse.api.vipps.epayment", True),
        ("kasse.api.app", "kasse.pos", False),
        ("kasse.api.app", "kasse.workers", False),
        ("kasse.api.context", "kasse.bootstrap", False),
        ("kasse.api.context", "kasse.container", True),
        ("kasse.server", "kasse.bootstrap", True),
        ("kasse.cli.serve", "kasse.bootstrap", True),
        ("kasse.testing.server", "kasse.bootstrap", False),
        ("kasse.sdk._client", "kasse.domain.money", False),
        ("kasse.sdk._client", "kasse.sdk._errors", True),
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


def import_graph() -> dict[str, set[str]]:
    """Return which kasse modules each kasse module imports (`from pkg import mod` counts as importing pkg.mod)."""
    found = modules()
    graph: dict[str, set[str]] = {}
    for module, path in found.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in found)
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                name = ".".join([*base, node.module] if node.module else base)
                for alias in node.names:
                    edges.update(n for n in (f"{name}.{alias.name}" if f"{name}.{alias.name}" in found else name,)
                                 if n in found)
        graph[module] = edges - {module}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = [stack.pop()]
            while group[-1] != v:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert circles(graph) == [["a", "b", "c"]]
