"""Which first reads of a batch may go before its first job runs (`write_jobs.reads_ahead`)."""

from __future__ import annotations

from kasse.adapters.sql.write_jobs import Reads, WriteJob, reads_ahead


def jobs(*reads: Reads | None) -> list[WriteJob]:
    return [WriteJob(lambda uow: None, None, r) for r in reads]


def test_the_reads_of_jobs_naming_different_payments_and_keys_all_go_ahead() -> None:
    batch = jobs(("1", "a", "k1"), ("1", "b", "k2"), ("2", "a", "k1"))  # another sales unit's "a" and "k1"
    assert reads_ahead(batch) == [("1", "a", "k1"), ("1", "b", "k2"), ("2", "a", "k1")]


def test_a_job_naming_a_payment_an_earlier_job_names_reads_in_its_turn_and_so_do_the_rest() -> None:
    batch = jobs(("1", "a", "k1"), ("1", "a", "k2"), ("1", "c", "k3"))
    assert reads_ahead(batch) == [("1", "a", "k1")]


def test_a_job_reusing_an_earlier_jobs_key_reads_in_its_turn() -> None:
    assert reads_ahead(jobs(("1", "a", "k1"), ("1", "b", "k1"))) == [("1", "a", "k1")]


def test_a_job_that_names_nothing_ends_the_reads_ahead() -> None:
    """It may write anything, so what the jobs after it read must be read after it ran."""
    assert reads_ahead(jobs(("1", "a", "k1"), None, ("1", "b", "k2"))) == [("1", "a", "k1")]
    assert reads_ahead(jobs(None, ("1", "b", "k2"))) == []


def test_a_reference_and_a_key_spelled_alike_are_not_taken_for_each_other() -> None:
    assert reads_ahead(jobs(("1", "x", "y"), ("1", "y", "x"))) == [("1", "x", "y"), ("1", "y", "x")]


def test_a_job_naming_a_text_with_a_nul_reads_in_its_turn_where_the_refusal_fails_it_alone() -> None:
    assert reads_ahead(jobs(("1", "a", "k1"), ("1", "b\x00", "k2"), ("1", "c", "k3"))) == [("1", "a", "k1")]
    assert reads_ahead(jobs(("1", "a", "k\x00"))) == []


def test_a_job_naming_a_lone_surrogate_reads_in_its_turn() -> None:
    """JSON's escapes can spell one (\\ud800); UTF-8 cannot, so the store's driver refuses it as it sends."""
    assert reads_ahead(jobs(("1", "a", "k1"), ("1", "\ud800", "k2"))) == [("1", "a", "k1")]
