"""The SSRF guard on its own (the API's 422s are in api/test_webhooks.py)."""

from __future__ import annotations

import pytest

from services.notifier.settings import NotifierSettings
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


async def test_an_allowed_host_is_allowed_on_its_pinned_port_only() -> None:
    guard = Guard(["internal.example:8443", "meta.example", "[::1]:9000"], resolver=ZONE)
    assert (await guard.resolve("https://internal.example:8443/in")).port == 8443
    assert (await guard.resolve("http://meta.example/")).port == 80  # bare: the default port
    assert (await guard.resolve("http://[::1]:9000/")).port == 9000
    for url in (
        "https://internal.example/in",  # 443, not the pinned 8443
        "http://internal.example:5432/",
        "http://meta.example:8080/",
        "http://[::1]:9001/",
    ):
        with pytest.raises(Refused):
            await guard.resolve(url)
    assert (
        await Guard(["internal.example:*"], resolver=ZONE).resolve("http://internal.example:5432/")
    ).port == 5432


@pytest.mark.parametrize("url", ["http://internal.example/", "http://meta.example:8080/"])
async def test_a_refusal_says_not_allowed_without_the_resolved_address(url: str) -> None:
    with pytest.raises(Refused) as refused:
        await Guard(resolver=ZONE).resolve(url)
    assert "not allowed" in refused.value.reason
    assert "10.0.0.7" not in refused.value.reason and "169.254" not in refused.value.reason


def test_an_allowed_entry_with_a_bad_port_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="not a port"):
        NotifierSettings(webhook_allowed_hosts="hooks.example:http")
