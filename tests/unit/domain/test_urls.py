import pytest

from kasse.domain.urls import is_absolute_uri, is_acceptable_redirect


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/return?order=1",
        "HTTPS://SHOP.EXAMPLE",
        "vipps://callback",
        "myapp://orders/1?paid=true",
        "http://127.0.0.1:8000/return",
        "http://localhost/return",
        "HTTP://LOCALHOST/return",
        "http://[::1]:8080/return",
    ],
)
def test_https_custom_schemes_and_plain_http_to_loopback_are_accepted(url: str) -> None:
    assert is_acceptable_redirect(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://shop.example/return",
        "http://localhost.evil.example/",
        "http://127.0.0.1.nip.io/",
        "https://",
        "https:///path-only",
        "//shop.example/return",
        "/relative/path",
        "shop.example/return",
        "",
        "http://[::1",
    ],
)
def test_plain_http_elsewhere_and_urls_without_scheme_or_host_are_refused(url: str) -> None:
    assert not is_acceptable_redirect(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "blob:https://shop.example/uuid",
        "ftp://shop.example/file",
    ],
)
def test_schemes_that_run_code_or_read_files_are_refused(url: str) -> None:
    assert not is_acceptable_redirect(url)


@pytest.mark.parametrize(("url", "absolute"), [
    ("https://example.com/orders/1", True), ("myshop://orders/1", True), ("urn:isbn:0451450523", True),
    ("0", False), ("/orders/1", False), ("example.com/orders", False), ("https://exa mple.com", False),
    ("https://example.com/\nx", False), ("1http://x", False), ("", False),
])
def test_an_absolute_uri_starts_with_a_scheme_and_holds_no_space(url: str, absolute: bool) -> None:
    assert is_absolute_uri(url) is absolute
