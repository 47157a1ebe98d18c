"""Request bodies of the wallet's control plane under /_kasse/ (test users, behaviours, wallet actions)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from kasse.api.schemas.common import Strict
from kasse.domain.merchant import MSN_PATTERN
from kasse.domain.user import MSISDN_PATTERN, NAME_MAX_LENGTH


def _example(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class UserIn(Strict):
    model_config = _example({"msisdn": "4798765432", "name": "Ola Nordmann", "birthDate": "1985-02-14",
                             "market": "NO"})

    msisdn: Annotated[str, Field(pattern=MSISDN_PATTERN, description="Phone number: country code and number, "
                                                                    "digits only")]
    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)] | None = Field(
        None, description="Made up if left out")
    birthDate: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = Field(
        None, description="YYYY-MM-DD; for minimumUserAge tests")
    market: Literal["NO", "DK", "FI"] | None = Field(None, description="Follows the number's country code if left out")


class BehaviourIn(Strict):
    model_config = _example({"behaviour": "AUTO_APPROVE", "delaySeconds": 2})

    behaviour: Annotated[Literal["MANUAL", "AUTO_APPROVE", "ALWAYS_REJECT", "NEVER_ANSWER"],
                         Field(description="How the user answers every payment request")]
    delaySeconds: Annotated[int, Field(ge=0, le=3600, description="Seconds before answering")] = 0


class ScanIn(Strict):
    model_config = _example({"content": "http://127.0.0.1:8000/q/c/123456/kasse-1"})

    content: Annotated[str, Field(min_length=1, max_length=2048, description="What the camera read from the QR")]


class AnswerIn(Strict):
    model_config = _example({"sca": False})

    msn: Annotated[str, Field(pattern=MSN_PATTERN)] | None = Field(
        None, description="The payment's sales unit, when the reference alone is ambiguous")
    sca: bool = Field(False, description="Confirm the BankID step that magic amount 202 asks for")
