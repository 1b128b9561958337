"""The SSRF guard on its own (the API's 422s are in api/test_webhooks.py)."""

from __future__ import annotations

import pytest

from services.notifier.ssrf import Guard, Refused


class Zone:
    """A DNS zone of our own (a port of the guard, not a mock of ours)."""

    def __init__(self, records: dict[str, list[str]]) -> None:
        self.records = records

    async def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.records:
            raise OSError(f"NXDOMAIN {host}")
        return self.records[host]


ZONE = Zone(
    {
        "hooks.shop.example": ["93.184.216.34"],
        "sneaky.example": ["93.184.216.34", "127.0.0.1"],  # one bad answer is enough
        "meta.example": ["169.254.169.254"],
        "v6.example": ["::1"],
        "internal.example": ["10.0.0.7"],
    }
)


async def test_public_addresses_are_vetted_and_pinned() -> None:
    target = await Guard(resolver=ZONE).resolve("https://hooks.shop.example/in")
    assert (target.host, target.port, target.address) == (
        "hooks.shop.example",
        443,
        "93.184.216.34",
    )
    assert (await Guard().resolve("http://93.184.216.34:8080/")).port == 8080


@pytest.mark.parametrize(
    "url",
    [
        "http://sneaky.example/",
        "http://meta.example/latest/meta-data",
        "http://v6.example/",
        "http://internal.example/",
        "http://nowhere.example/",
        "http://[::]/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://017700000001/",  # octal, one number
        "http://hooks.shop.example\\@127.0.0.1/",
    ],
)
async def test_names_and_numbers_that_lead_inside_are_refused(url: str) -> None:
    with pytest.raises(Refused):
        await Guard(resolver=ZONE).resolve(url)


async def test_allowed_hosts_skip_the_address_check_only_for_themselves() -> None:
    guard = Guard(["internal.example"], resolver=ZONE)
    assert (await guard.resolve("http://internal.example/")).address == "10.0.0.7"
    with pytest.raises(Refused):
        await guard.resolve("http://meta.example/")
