"""Request bodies of the wallet's control plane under /_kasse/ (test users, behaviours, wallet actions)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from kasse.api.schemas.common import Strict
from kasse.domain.merchant import MSN_PATTERN
from kasse.domain.user import MSISDN_PATTERN, NAME_MAX_LENGTH


class UserIn(Strict):
    msisdn: Annotated[str, Field(pattern=MSISDN_PATTERN)]
    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)] | None = None
    birthDate: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    market: Literal["NO", "DK", "FI"] | None = None


class BehaviourIn(Strict):
    behaviour: Literal["MANUAL", "AUTO_APPROVE", "ALWAYS_REJECT", "NEVER_ANSWER"]
    delaySeconds: Annotated[int, Field(ge=0, le=3600)] = 0


class ScanIn(Strict):
    content: Annotated[str, Field(min_length=1, max_length=2048)]


class AnswerIn(Strict):
    msn: Annotated[str, Field(pattern=MSN_PATTERN)] | None = None
    sca: bool = False
