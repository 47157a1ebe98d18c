import pytest

from kasse.domain.personal_qr import (
    PersonalQr,
    PersonalQrVersion,
    ScanKind,
    Scanned,
    classify,
    parse_personal_qr,
    v1_content,
    v2_content,
)

BASE = "http://127.0.0.1:8000"


def test_the_clear_text_form_carries_the_msisdn() -> None:
    content = v1_content("4712345678")

    assert content == "https://qr.vipps.no/28/2/01/031/4712345678?v=1"
    assert parse_personal_qr(content) == PersonalQr(PersonalQrVersion.V1, "4712345678")


def test_the_tokenized_form_carries_only_the_token() -> None:
    content = v2_content("abcDEF123_-xyz")

    assert content == "https://qr.vipps.no/p/abcDEF123_-xyz"
    assert parse_personal_qr(content) == PersonalQr(PersonalQrVersion.V2, "abcDEF123_-xyz")


def test_surrounding_whitespace_from_a_scanner_is_ignored() -> None:
    assert parse_personal_qr("  https://qr.vipps.no/28/2/01/031/4798765432?v=1\r\n") is not None


@pytest.mark.parametrize(
    "content",
    [
        "https://qr.vipps.no/28/2/01/031/4712345678",  # the version query is part of the format
        "https://qr.vipps.no/28/2/01/031/47123?v=1",  # too short for an MSISDN
        "http://qr.vipps.no/p/abcdefghij",  # not https
        "https://qr.vipps.no/p/short",  # token too short
        "https://evil.example/p/abcdefghijkl",
        "4712345678",
        "",
    ],
)
def test_anything_else_is_no_personal_qr(content: str) -> None:
    assert parse_personal_qr(content) is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"{BASE}/p/tok123", Scanned(ScanKind.PAYMENT, ("tok123",))),
        (f"{BASE}/landing?token=tok123", Scanned(ScanKind.PAYMENT, ("tok123",))),
        (f"{BASE}/q/r/123456/billboard_1", Scanned(ScanKind.MERCHANT_REDIRECT, ("123456", "billboard_1"))),
        (f"{BASE}/q/r/123456/kiosk%20%C3%A6%C3%B8%C3%A5", Scanned(ScanKind.MERCHANT_REDIRECT, ("123456", "kiosk æøå"))),
        (f"{BASE}/q/c/123456/till-1", Scanned(ScanKind.MERCHANT_CALLBACK, ("123456", "till-1"))),
        ("https://qr.vipps.no/28/2/01/031/4712345678?v=1", Scanned(ScanKind.PERSONAL, ("1.0", "4712345678"))),
        ("https://qr.vipps.no/p/abcdefghijkl", Scanned(ScanKind.PERSONAL, ("2.0", "abcdefghijkl"))),
        (f"{BASE}/landing", Scanned(ScanKind.UNKNOWN)),
        (f"{BASE}/q/r/12/short-msn", Scanned(ScanKind.UNKNOWN)),
        ("WIFI:S:cafe;T:WPA;P:secret;;", Scanned(ScanKind.UNKNOWN)),
        ("https://example.com/menu", Scanned(ScanKind.UNKNOWN)),
    ],
)
def test_scanned_content_is_sorted_by_what_it_opens(content: str, expected: Scanned) -> None:
    assert classify(content, BASE) == expected


def test_kasse_links_made_under_another_host_name_still_scan() -> None:
    assert classify("http://localhost:8000/p/tok123", BASE) == Scanned(ScanKind.PAYMENT, ("tok123",))


def test_a_base_url_with_a_path_prefix_is_stripped_before_matching() -> None:
    base = "https://pay.example.com/kasse"

    assert classify(f"{base}/q/c/123456/till-1", base) == Scanned(ScanKind.MERCHANT_CALLBACK, ("123456", "till-1"))
