"""The SSRF guard: webhook URLs may not reach inside the network.

A URL is refused unless it is `http(s)://host[:port]/...` with no user info, and every address
its host resolves to is globally routable: no loopback, private (RFC 1918, unique-local),
link-local (which holds the 169.254.169.254 metadata service), shared, reserved, multicast or
unspecified address, IPv4 behind IPv6 (mapped, 6to4, Teredo) included. Numeric hosts in any
form but the canonical one (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) are refused outright:
resolvers and HTTP clients disagree about what they mean. Hosts listed in
`REDRESS_WEBHOOK_ALLOWED_HOSTS` skip the address check on their pinned port only: `host:port`
allows that port, a bare `host` the scheme's default port (80, 443), and `host:*` any port (an
explicit choice, for development). A refusal says the host is not allowed, never what it
resolved to: the answer must not map the inside of the network for the caller.

The check runs when subscribing (`check`, a 422 when refused) and again before every delivery
(`resolve`), which returns the vetted address for the request to connect to, so a DNS answer
that changes between the check and the connection cannot slip through (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$")
_CANONICAL_V4 = re.compile(
    r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$"
)


class Refused(ValueError):
    """The URL may not be called; `reason` says why (shown to the subscriber)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A vetted URL: connect to `address`, but speak to `host` (Host header, TLS SNI)."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


class Resolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address `host` resolves to (raises OSError when it does not)."""
        ...


class SystemResolver:
    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Parsed:
    url: str
    scheme: str
    host: str
    port: int


def parse(url: str) -> Parsed:
    """Syntax only: scheme, no user info, a host, and no numeric tricks."""
    if any(ch <= " " or ch == "\x7f" for ch in url):
        raise Refused("the URL holds spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as bad:
        raise Refused(f"not a valid URL: {bad}") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("only http and https URLs can receive webhooks")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise Refused("URLs with user info (user@host) are not accepted")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise Refused("the URL names no host")
    if _NUMERIC_HOST.match(host) and not _CANONICAL_V4.match(host):
        raise Refused(f"{host!r} is a numeric address in a non-canonical form")
    if any(ch in host for ch in "%\\ ") or not host.isascii():
        raise Refused(f"{host!r} is not a plain host name (use its punycode form)")
    default = 443 if parts.scheme == "https" else 80
    return Parsed(url, parts.scheme, host, port or default)


def forbidden_reason(address: IPAddress) -> str | None:
    """Why an address may not be called, or None when it is globally routable."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = (
            address.ipv4_mapped
            or address.sixtofour
            or (address.teredo[1] if address.teredo else None)
        )
        if embedded is not None:
            return forbidden_reason(embedded)
    for label, flag in (
        ("loopback", address.is_loopback),
        ("link-local (metadata)", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return label
    if not address.is_global:
        return "non-global"
    return None


ANY_PORT = -1


def allowed_entry(entry: str) -> tuple[str, int | None]:
    """`host[:port]` (IPv6 in brackets) → (host, port): None for the default port, ANY_PORT
    for `*`. Raises ValueError for a port that is not a number from 1 to 65535."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else None
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    else:
        host, port = entry, None  # a bare name, or an IPv6 address without a port
    if port is None or port == "":
        return host, None
    if port == "*":
        return host, ANY_PORT
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"not a port: {port!r} in {entry!r}")
    return host, int(port)


class Guard:
    def __init__(self, allowed_hosts: Iterable[str] = (), resolver: Resolver | None = None) -> None:
        self.allowed = frozenset(allowed_entry(h) for h in allowed_hosts)
        self.resolver = resolver or SystemResolver()

    def _allowed(self, parsed: Parsed) -> bool:
        default = 443 if parsed.scheme == "https" else 80
        return any(
            host == parsed.host and (port == ANY_PORT or (port or default) == parsed.port)
            for host, port in self.allowed
        )

    async def check(self, url: str) -> Parsed:
        """Refuse a URL at subscription time (raises `Refused`)."""
        await self.resolve(url)
        return parse(url)

    async def resolve(self, url: str) -> Target:
        """Vet a URL now and pick the address to connect to (raises `Refused`)."""
        parsed = parse(url)
        try:
            addresses = [ipaddress.ip_address(parsed.host)]
        except ValueError:
            try:
                found = await self.resolver.resolve(parsed.host, parsed.port)
            except OSError as failed:
                raise Refused(f"{parsed.host!r} does not resolve ({failed})") from None
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
        if not addresses:
            raise Refused(f"{parsed.host!r} does not resolve")
        inside = any(forbidden_reason(address) is not None for address in addresses)
        if inside and not self._allowed(parsed):
            raise Refused(
                f"{parsed.host!r} on port {parsed.port} is not allowed: webhooks go only "
                "to public addresses"
            )
        # IPv4 first: a dual-stack name most often has its receiver listening there.
        chosen = sorted(addresses, key=lambda a: a.version)[0]
        return Target(url, parsed.scheme, parsed.host, parsed.port, str(chosen))
