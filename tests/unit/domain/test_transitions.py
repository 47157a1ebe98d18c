import os
from itertools import product
from pathlib import Path

import pytest

from kasse.domain.errors import ErrorCode
from kasse.domain.payment_state import FINAL_STATES, EventName, Operation, PaymentState
from kasse.domain.transitions import REFUSALS, TRANSITIONS, Transition, allows, lookup

ALL_PAIRS = list(product(PaymentState, Operation))
DOC = Path(__file__).resolve().parents[3] / "docs" / "state-machine.md"
BEGIN = "<!-- generated from kasse.domain.transitions: begin -->"
END = "<!-- generated from kasse.domain.transitions: end -->"
REGENERATE = "KASSE_REGENERATE_DOCS"


def render_state_machine() -> str:
    """Render the tables as the Markdown between the doc's markers: a Mermaid diagram and a matrix."""
    lines = ["```mermaid", "stateDiagram-v2", "    [*] --> CREATED: create / CREATED"]
    for state, op in ALL_PAIRS:
        if (step := TRANSITIONS.get((state, op))) is not None:
            lines.append(f"    {state.value} --> {step.to.value}: {op.value} / {step.event.value}")
    lines += [f"    {state.value} --> [*]" for state in PaymentState if state in FINAL_STATES]
    lines += ["```", "", "| state | " + " | ".join(op.value for op in Operation) + " |"]
    lines.append("| --- " * (len(Operation) + 1) + "|")
    for state in PaymentState:
        cells = [_cell(lookup(state, op)) for op in Operation]
        lines.append(f"| {state.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(step: Transition | ErrorCode) -> str:
    if isinstance(step, ErrorCode):
        return f"refused, {step.value} {step.title}"
    return f"→ {step.to.value}, event {step.event.value}"


@pytest.mark.parametrize(("state", "op"), ALL_PAIRS)
def test_every_state_and_operation_pair_is_either_allowed_or_refused(state: PaymentState, op: Operation) -> None:
    in_transitions = (state, op) in TRANSITIONS
    in_refusals = (state, op) in REFUSALS

    assert in_transitions != in_refusals


def test_the_tables_name_only_real_pairs() -> None:
    assert set(TRANSITIONS) | set(REFUSALS) == set(ALL_PAIRS)


@pytest.mark.parametrize(("state", "op"), list(product(sorted(FINAL_STATES), Operation)))
def test_final_states_refuse_every_operation(state: PaymentState, op: Operation) -> None:
    assert not allows(state, op)
    assert isinstance(lookup(state, op), ErrorCode)


def test_final_states_are_exactly_the_states_nothing_leaves() -> None:
    with_exits = {state for state, _ in TRANSITIONS}

    assert set(PaymentState) - with_exits == FINAL_STATES


@pytest.mark.parametrize(("state", "op"), [pair for pair in ALL_PAIRS if pair[0] is PaymentState.AUTHORIZED])
def test_an_authorized_payment_stays_authorized(state: PaymentState, op: Operation) -> None:
    step = lookup(state, op)

    assert isinstance(step, ErrorCode) or step.to is PaymentState.AUTHORIZED


def test_every_event_but_created_is_produced_by_exactly_one_transition() -> None:
    produced = [step.event for step in TRANSITIONS.values()]

    assert sorted(produced) == sorted(set(EventName) - {EventName.CREATED})


@pytest.mark.parametrize(
    ("state", "op", "expected"),
    [
        (PaymentState.CREATED, Operation.APPROVE, Transition(PaymentState.AUTHORIZED, EventName.AUTHORIZED)),
        (PaymentState.CREATED, Operation.CANCEL, Transition(PaymentState.TERMINATED, EventName.TERMINATED)),
        (PaymentState.CREATED, Operation.CAPTURE, ErrorCode.CAPTURE_BEFORE_RESERVATION),
        (PaymentState.CREATED, Operation.REFUND, ErrorCode.REFUND_BEFORE_RESERVATION),
        (PaymentState.AUTHORIZED, Operation.CANCEL, Transition(PaymentState.AUTHORIZED, EventName.CANCELLED)),
        (PaymentState.AUTHORIZED, Operation.APPROVE, ErrorCode.ALREADY_RESERVED),
        (PaymentState.EXPIRED, Operation.CAPTURE, ErrorCode.CANNOT_BE_CAPTURED),
        (PaymentState.ABORTED, Operation.REFUND, ErrorCode.CANNOT_BE_REFUNDED),
        (PaymentState.TERMINATED, Operation.CANCEL, ErrorCode.CANNOT_BE_CANCELLED),
    ],
)
def test_lookup_follows_the_contract(state: PaymentState, op: Operation, expected: Transition | ErrorCode) -> None:
    assert lookup(state, op) == expected


def test_the_state_machine_doc_shows_the_current_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN + "\n")
    committed, _, tail = rest.partition(END)
    fresh = render_state_machine()
    if os.environ.get(REGENERATE) == "1" and committed != fresh:
        DOC.write_text(head + BEGIN + "\n" + fresh + END + tail, encoding="utf-8")
        committed = fresh

    assert BEGIN in text and END in text, f"{DOC} lost its generated-section markers"
    assert committed == fresh, (
        f"{DOC.name} is out of date with kasse.domain.transitions; regenerate it with\n"
        f"    {REGENERATE}=1 .venv/bin/pytest tests/unit/domain/test_transitions.py\n"
        "and commit the result."
    )
