"""The sender on its own, against real receivers on loopback: HTTPS to the vetted address under
the URL's name, no redirects followed, no request on a connection the receiver closed."""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from support.webhook_receiver import Answer, Receiver

from services.notifier.sender import Sender
from services.notifier.ssrf import Guard


class Zone:
    """A DNS zone of our own (a port of the guard): every name here is the loopback."""

    def __init__(self, *names: str) -> None:
        self.names = names

    async def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.names:
            raise OSError(f"NXDOMAIN {host}")
        return ["127.0.0.1"]


def _certificate(
    subject: str,
    issuer: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    signer: ec.EllipticCurvePrivateKey,
    *,
    authority: bool = False,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
    )
    if not authority:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture
def authority(tmp_path: Path) -> tuple[ssl.SSLContext, tuple[str, str]]:
    """A certificate authority of our own, trusted by the sender, and a receiver's certificate
    from it for `hooks.test`: (the sender's TLS context, (certificate file, key file))."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Redress test authority")])
    ca = _certificate("Redress test authority", ca_name, ca_key, ca_key, authority=True)
    certificate = _certificate("hooks.test", ca_name, key, ca_key)
    certificate_file, key_file = tmp_path / "hooks.pem", tmp_path / "hooks.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    trusted = ssl.create_default_context(
        cadata=ca.public_bytes(serialization.Encoding.PEM).decode()
    )
    return trusted, (str(certificate_file), str(key_file))


@pytest.fixture
async def sender(authority: tuple[ssl.SSLContext, tuple[str, str]]) -> AsyncIterator[Sender]:
    guard = Guard(
        {"hooks.test:*", "elsewhere.test:*", "127.0.0.1:*"}, Zone("hooks.test", "elsewhere.test")
    )
    sender = Sender(guard, timeout=5, tls=authority[0])
    yield sender
    await sender.aclose()


async def test_https_goes_to_the_vetted_address_under_the_urls_name(
    authority: tuple[ssl.SSLContext, tuple[str, str]], sender: Sender
) -> None:
    with Receiver(tls=authority[1]) as receiver:
        url = f"https://hooks.test:{receiver.port}/hooks"
        outcome = await sender.send(url, b"{}", {"webhook-id": "m1"}, datetime.now(UTC))
        assert outcome.status_code == 204, outcome.error
        (received,) = receiver.received
        assert received.headers["host"] == f"hooks.test:{receiver.port}"
        assert received.headers["webhook-id"] == "m1"
        await sender.aclose()  # now: the receiver's TLS shutdown waits for this loop's answer


async def test_a_certificate_for_another_name_is_refused(
    authority: tuple[ssl.SSLContext, tuple[str, str]], sender: Sender
) -> None:
    with Receiver(tls=authority[1]) as receiver:
        url = f"https://elsewhere.test:{receiver.port}/hooks"
        outcome = await sender.send(url, b"{}", {"webhook-id": "m1"}, datetime.now(UTC))
        assert outcome.status_code is None
        assert outcome.error is not None and "certificate" in outcome.error.lower()
        assert receiver.count() == 0


async def test_redirects_are_answers_not_orders(sender: Sender) -> None:
    with Receiver() as moved, Receiver() as target:
        moved.respond = lambda _: Answer(307, {"Location": target.url})
        outcome = await sender.send(moved.url, b"{}", {"webhook-id": "m1"}, datetime.now(UTC))
        assert (outcome.status_code, outcome.error) == (307, "HTTP 307")
        assert target.count() == 0


async def test_a_connection_the_receiver_closed_while_idle_is_not_used(sender: Sender) -> None:
    with Receiver(keep_alive=2) as receiver:
        first = await sender.send(receiver.url, b"{}", {"webhook-id": "m1"}, datetime.now(UTC))
        time.sleep(3)  # the receiver closes the idle connection; this loop cannot see it yet
        second = await sender.send(receiver.url, b"{}", {"webhook-id": "m2"}, datetime.now(UTC))
        assert (first.status_code, second.status_code) == (204, 204), second.error
