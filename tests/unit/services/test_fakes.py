"""The in-memory unit of work keeps up with the ports: a port that grows a method fails here, not in some test."""

import inspect
from typing import get_type_hints

import pytest

from kasse.services.ports import UnitOfWork
from tests.fakes import InMemoryUnitOfWork

# the port's repositories and read models, its own and those of the Protocols it extends (ReadModels)
PROPERTIES = {name: member for port in reversed(UnitOfWork.__mro__) for name, member in vars(port).items()
              if isinstance(member, property)}
REPOSITORIES = sorted(PROPERTIES)


def port_of(name: str) -> type:
    return get_type_hints(PROPERTIES[name].fget)["return"]  # type: ignore[no-any-return]


def methods(port: type) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(port).items()
            if callable(member) and not name.startswith("_")}


def parameters(signature: inspect.Signature) -> list[tuple[str, object, bool]]:
    return [(p.name, p.kind, p.default is inspect.Parameter.empty) for p in signature.parameters.values()
            if p.name != "self"]


def test_the_unit_of_work_port_has_repositories() -> None:
    assert {"payments", "outbox", "deliveries", "wallet", "ledgers", "event_feed", "payment_list",
            "request_log"} <= set(REPOSITORIES)


@pytest.mark.parametrize("name", REPOSITORIES)
def test_the_fake_has_every_repository_with_every_method_of_its_port(name: str) -> None:
    fake = getattr(InMemoryUnitOfWork(), name)

    for method, signature in methods(port_of(name)).items():
        assert callable(getattr(fake, method, None)), f"{type(fake).__name__} lacks {method}"
        assert parameters(inspect.signature(getattr(type(fake), method))) == parameters(signature), (
            f"{type(fake).__name__}.{method} differs from the port's"
        )
