"""What the gateway's SSH connections put on the person's link besides the app's own bytes.

Every name of asyncssh's that is not public, for the bytes of a connection, is here (its canary:
``tests/test_plain_bytes.py``). A plain-mode participant-hour is a few dozen small packets each way,
so what each packet costs counts (docs/performance.md, "Plain mode over SSH"):

- asyncssh sends an empty ``SSH_MSG_IGNORE`` before every packet once the keys are in use (a
  countermeasure for CBC ciphers, which the gateway does not offer: see :data:`ENCRYPTION_ALGS`).
  With TCP_NODELAY it leaves in a TCP segment of its own: 32 bytes, 52 of TCP/IP and often the
  client's ACK, for every screen update and every echoed key. OpenSSH's server sends none.
- The key exchange offers are shortened to what clients use, and keys are renewed by volume,
  not every hour (as OpenSSH's server does by default): a renewal is a second key exchange.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncssh
from asyncssh.constants import MSG_IGNORE, MSG_KEX_LAST

KEX_ALGS = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "mlkem768x25519-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
]
"""Key exchanges offered, curve25519 first. Dropbear's client guesses (curve25519) and sends its first
packet at once; a guess counts only if both sides list the same method first (asyncssh lists ML-KEM
first: Dropbear sent again and asyncssh, which had taken the guess, hung up). The client still chooses:
OpenSSH 10 takes ML-KEM, OpenSSH 9, PuTTY and Dropbear curve25519, old clients group14. The full list
asyncssh offers (32 names, GSS ones where Kerberos is set up) cost about 600 bytes of every join."""
ENCRYPTION_ALGS = [
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
]
"""asyncssh's own list, named so it stays without CBC (for which the ignored packets would matter)."""
MAC_ALGS = [
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
]
"""For the CTR ciphers only (the others carry their own); umac and the ssh.com names left out."""
SIGNATURE_ALGS = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
]
"""The keys a person may sign in with (told to the client in ``server-sig-algs``): the kinds ssh-keygen
makes. asyncssh's own list (certificates, X.509, ssh.com names) cost 736 bytes of every join."""
REKEY_SECONDS = 6 * 3600.0
"""Keys renewed after six hours (and after asyncssh's 1 GiB, which no participant reaches): a workshop day.
asyncssh's default, an hour, costs each person about 3 KB an hour (a key exchange); OpenSSH's server
renews by volume only."""

_patched: set[type] = set()


def without_ignored_packets(connection_class: Any = asyncssh.SSHServerConnection) -> None:
    """Stop this process's SSH server connections sending an ``SSH_MSG_IGNORE`` before each packet
    (``bench/plain_hour.py`` does the same to its clients, as OpenSSH's client sends none either).

    asyncssh's ``send_packet`` calls itself for the ignored packet just before the real one: a server
    connection's real packet marks the call that follows as that ignored one, which is then left out.
    An ignored packet sent for another reason (none is, by the gateway) goes as before.
    """
    if connection_class in _patched:
        return
    _patched.add(connection_class)
    original = connection_class.send_packet

    def send_packet(self: Any, pkttype: int, *args: bytes, **kwargs: Any) -> None:
        if pkttype == MSG_IGNORE and self.__dict__.pop("_coproterm_skip_ignore", False):
            return
        marks = pkttype > MSG_KEX_LAST
        if marks:
            self._coproterm_skip_ignore = True
        try:
            original(self, pkttype, *args, **kwargs)
        finally:
            if marks:
                self.__dict__.pop("_coproterm_skip_ignore", None)

    connection_class.send_packet = send_packet


def options() -> dict[str, Any]:
    """The algorithm and renewal options for ``asyncssh.create_server``."""
    return {
        "kex_algs": KEX_ALGS,
        "encryption_algs": ENCRYPTION_ALGS,
        "mac_algs": MAC_ALGS,
        "signature_algs": SIGNATURE_ALGS,
        "rekey_seconds": REKEY_SECONDS,
    }


async def answers(connection: Any, timeout: float) -> bool:
    """Whether an SSH client still answers: a keepalive request (about 100 bytes each way on its link),
    answered within ``timeout`` seconds by a connection still open. A pulled cable answers nothing; a
    client killed a moment ago has its connection closing already."""
    transport = getattr(connection, "_transport", None)
    if transport is None or transport.is_closing():
        return False
    try:
        async with asyncio.timeout(timeout):
            await connection._make_global_request(b"keepalive@openssh.com")
    except (TimeoutError, OSError, asyncssh.Error):
        return False
    transport = getattr(connection, "_transport", None)
    return transport is not None and not transport.is_closing()
