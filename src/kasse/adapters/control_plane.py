"""Talking to a kasse server's test control plane (`/_kasse/...`) over HTTP with httpx.

Used by `kasse clock` and the pytest plugin (`kasse.testing`). Every failure becomes one
`ControlPlaneError` whose message a person can act on: the server is not running, it is in
production mode (where /_kasse/ does not exist), or it refused the request and said why.
"""

from __future__ import annotations

from typing import Any

import httpx

NO_CONTROL_PLANE = "{url} has no test control plane: it is in production mode (KASSE_MODE=production) or not kasse"
NEEDS_TOKEN = ("kasse at {url} is reachable from the network and asks for the operator token: set KASSE_ADMIN_TOKEN"
               " (`kasse serve` printed it when it made it; it is kept in var/kasse-admin.token beside the database)")
WRONG_TOKEN = "kasse at {url} refused the operator token in KASSE_ADMIN_TOKEN: it is not this server's"
NOT_KASSE = ("{url} did not answer like kasse: {method} {path} got HTTP {status} {what}; is --url ($KASSE_URL) a "
             "kasse server?")


class ControlPlaneError(Exception):
    """The control plane did not do it; `status` is the HTTP status, None when no server answered.

    `route_missing`: the server has no such route (production mode, or not kasse); otherwise `detail` and
    `fields` (field name → reason, from the problem's extraDetails) say what it refused, when it said.
    """

    def __init__(self, message: str, *, status: int | None = None, route_missing: bool = False,
                 detail: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.route_missing = route_missing
        self.detail = detail
        self.fields = fields or {}


def _problem(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """Return the problem's detail and the fields it names (each with its reason)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase, {}
    if not isinstance(body, dict):
        return str(body)[:200], {}
    fields = {str(d.get("name")): str(d.get("reason")) for d in body.get("extraDetails") or [] if isinstance(d, dict)}
    return str(body.get("detail") or body.get("title") or response.reason_phrase), fields


def _problem_text(detail: str, fields: dict[str, str]) -> str:
    # a reason that only repeats the detail is said once
    details = [f"{name}: {reason}" for name, reason in fields.items() if reason.rstrip(".") != detail.rstrip(".")]
    return "; ".join([detail.rstrip(".") if details else detail, *details])


def _names_a_field(response: httpx.Response) -> bool:
    """Whether a 404 is about a thing the route looked for (its problem names the field), not a missing route."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    try:
        return bool(response.json().get("extraDetails"))
    except (ValueError, AttributeError):
        return False


class HttpxControlPlane:
    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        """Talk to the server at `base_url`; `token` is the operator token an exposed server asks for."""
        self.base_url = base_url.rstrip("/")
        self.token = token
        headers = {"authorization": f"Bearer {token}"} if token else {}
        # test servers: no proxies from the environment
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False, transport=transport,
                                  headers=headers)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None,
             missing_ok: bool = False) -> Any:
        """Send one request under /_kasse/; return its JSON body (None for an empty one).

        `missing_ok`: a 404 about the thing itself (an unknown id: the problem names the field) is not an
        error. A 404 naming no field means the route is missing: production mode, or not a kasse server.
        """
        try:
            r = self._http.request(method, path, json=json, params=params)
        except httpx.HTTPError as exc:
            raise ControlPlaneError(f"cannot reach kasse at {self.base_url} ({type(exc).__name__}: {exc}); "
                                    "is `kasse serve` running there?") from None
        if r.status_code == 401:
            raise ControlPlaneError((WRONG_TOKEN if self.token else NEEDS_TOKEN).format(url=self.base_url), status=401)
        if r.status_code == 404 and not _names_a_field(r):  # no such route: production mode, or not kasse at all
            raise ControlPlaneError(NO_CONTROL_PLANE.format(url=self.base_url), status=404, route_missing=True)
        if r.status_code == 404 and missing_ok:
            return None
        if r.status_code == 204:
            return None
        try:  # every other answer of /_kasse/ is JSON, a refusal included
            body = r.json()
        except ValueError:
            what = f"and {r.headers.get('content-type', 'no content type')}" if r.content else "and no body"
            raise ControlPlaneError(NOT_KASSE.format(url=self.base_url, method=method, path=path,
                                                     status=r.status_code, what=what), status=r.status_code) from None
        if r.status_code >= 400:
            detail, fields = _problem(r)
            raise ControlPlaneError(f"kasse refused {method} {path} (HTTP {r.status_code}): "
                                    f"{_problem_text(detail, fields)}", status=r.status_code, detail=detail,
                                    fields=fields)
        return body
