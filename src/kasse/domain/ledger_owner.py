"""Who a ledger belongs to and where its payouts go, made up from the MSN in each market's own format.

kasse has no business register or bank: these are stable, well-formed stand-ins (contract §1.3), the same
for a sales unit on every call.
"""

from __future__ import annotations

from kasse.domain.money import Market

# scheme of the payout account and of the owner's organisation number, per market (contract §1.3)
ACCOUNT_SCHEME = {Market.NO: "BBAN:NO", Market.DK: "BBAN:DK", Market.FI: "BBAN:FI"}
OWNER_SCHEME = {Market.NO: "business:NO:ORG", Market.DK: "business:DK:CVR", Market.FI: "business:FI:Y-tunnus"}


def payout_account(msn: str, market: Market) -> dict[str, str]:
    """Return the `payoutBankAccount` of the sales unit's ledger: 11 digits in Norway, 14 in DK and FI."""
    digits = ("8601" + msn.zfill(7))[:11] if market is Market.NO else ("2191" + msn.zfill(10))[:14]
    return {"scheme": ACCOUNT_SCHEME[market], "id": digits}


def owner(msn: str, market: Market) -> dict[str, str]:
    """Return the `owner` of the sales unit's ledger: an organisation number in the market's format."""
    core = msn.zfill(8)[-8:]
    if market is Market.NO:
        number = "9" + core
    elif market is Market.DK:
        number = core
    else:
        seven = core[-7:]
        weighted = sum(int(d) * w for d, w in zip(seven, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        number = f"{seven}-{(11 - weighted) % 11 % 10}"
    return {"scheme": OWNER_SCHEME[market], "id": number}
