"""The gateway secret: proven, never sent; new at every start; never in a worker's environment; and what a
gateway may vouch for is bounded. Attack traffic comes from a network namespace the test makes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from websockets.asyncio.client import connect

from coproterm.core.client_messages import Hello
from coproterm.core.deck import default_deck
from coproterm.core.hub_messages import Welcome
from coproterm.core.session import Session
from coproterm.core.vouching import (
    CLIENT_HEADER,
    GATEWAY_HEADER,
    REPLAY_WINDOW,
    GatewayLimit,
    GatewayProofs,
    gateway_proof,
)
from coproterm.core.wire import decode, encode
from coproterm.server.hub_runner import HubRunner, SSHOptions
from coproterm.server.ssh.gateway import Gateway
from coproterm.server.ssh.keys import gateway_secret, host_key
from tests.conftest import HOST_TOKEN, counting_tokens
from tests.sshkit import asyncssh_client

pytest_plugins = ["tests.netkit"]

SECRET = "this-sessions-gateway-secret"
FIRST = "co-production mean to you"


def _counts(hosted) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(hosted.hub.protocol.addresses.counts)


async def _join_as_gateway(room, hosted, source: str, headers: dict[str, str], name: str) -> object:  # type: ignore[no-untyped-def]
    """A websocket participant from ``source`` in the namespace, sending ``headers`` with its handshake."""
    sock = await room.connect(hosted.port, source)
    socket = await connect(f"ws://{room.hub}:{hosted.port}", sock=sock, additional_headers=headers, compression=None)
    await socket.send(encode(Hello(name=name)))
    assert isinstance(decode(await socket.recv()), Welcome)
    return socket


async def test_a_sniffed_gateway_header_holds_no_secret_and_vouches_for_no_one(tmp_path, room):
    ann, eve = room.addresses[0], room.addresses[1]
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    async with HubRunner(session, HOST_TOKEN, room.hub, 0) as hosted:
        hosted.hub.gateway_secret = SECRET
        sniffed = bytearray()

        async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            """A passive sniffer on the gateway's link to the hub: passes every byte on, keeps a copy."""
            up_reader, up_writer = await asyncio.open_connection(room.hub, hosted.port)

            async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter, keep: bool) -> None:
                while data := await source.read(65536):
                    if keep:
                        sniffed.extend(data)
                    sink.write(data)
                sink.close()

            await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False), return_exceptions=True)

        sniffer = await asyncio.start_server(relay, "127.0.0.1", 0)
        url = f"ws://127.0.0.1:{sniffer.sockets[0].getsockname()[1]}"
        gw = Gateway(url, host_key(tmp_path), secret=SECRET)
        port = await gw.start(room.hub, 0)
        try:
            conn, _channel, screen = await asyncssh_client(port, "ann", sock=await room.connect(port, ann))
            await screen.expect(FIRST)
            assert _counts(hosted).get(ann) == 1, "the gateway's proof vouches for ann's address"
            assert SECRET.encode() not in sniffed, "the secret never travels"
            request = bytes(sniffed).split(b"\r\n\r\n", 1)[0].decode()
            heard = dict(line.split(": ", 1) for line in request.split("\r\n")[1:])
            replay = {GATEWAY_HEADER: heard[GATEWAY_HEADER], CLIENT_HEADER: heard[CLIENT_HEADER]}
            eve_socket = await _join_as_gateway(room, hosted, eve, replay, "eve")
            counts = _counts(hosted)
            assert counts.get(ann) == 1 and counts.get(eve) == 1, "the replay is counted at eve's own address"
            await eve_socket.close()  # type: ignore[attr-defined]
            conn.close()
        finally:
            await gw.stop()
            sniffer.close()


async def test_a_gateway_never_vouches_for_the_hubs_own_address_nor_past_its_bound(room):
    insider = room.addresses[2]  # holds this session's secret: a gateway's operator gone rogue
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    async with HubRunner(session, HOST_TOKEN, room.hub, 0) as hosted:
        hosted.hub.gateway_secret = SECRET
        hosted.hub.gateway_limit = GatewayLimit(live=3)
        named = ["127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0", *(f"10.77.0.{i}" for i in range(1, 6))]
        sockets = []
        for counter, address in enumerate(named):
            proof = gateway_proof(SECRET, "ab" * 8, counter, address)
            headers = {GATEWAY_HEADER: proof, CLIENT_HEADER: address}
            sockets.append(await _join_as_gateway(room, hosted, insider, headers, f"p{counter}"))
        counts = _counts(hosted)
        assert not {"127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0"} & set(counts), "never the hub's own"
        assert len([a for a in counts if a.startswith("10.77.0.")]) == 3, "at most its bound"
        assert counts[insider] == 4 + 2, "the rest count at the gateway's own address"
        for socket in sockets:
            await socket.close()  # type: ignore[attr-defined]
        await asyncio.sleep(0.2)
        assert hosted.hub.gateway_limit.counts == {}, "released as they close"


def test_a_proof_is_good_once_for_one_address():
    proofs = GatewayProofs(SECRET)
    proof = gateway_proof(SECRET, "cd" * 8, 7, "10.1.2.3")
    assert not proofs.check(proof, "10.1.2.4"), "it names one address"
    assert proofs.check(proof, "10.1.2.3")
    assert not proofs.check(proof, "10.1.2.3"), "a replay is refused"
    assert not proofs.check(gateway_proof("another-secret", "cd" * 8, 8, "10.1.2.3"), "10.1.2.3")
    assert proofs.check(gateway_proof(SECRET, "cd" * 8, 7 + REPLAY_WINDOW + 1, "10.1.2.3"), "10.1.2.3")
    assert not proofs.check(gateway_proof(SECRET, "cd" * 8, 6, "10.1.2.3"), "10.1.2.3"), "too old to tell"
    assert not proofs.check(SECRET, "10.1.2.3"), "the secret itself is no proof"


async def test_the_secret_is_new_at_every_start_and_never_in_a_workers_environment(tmp_path):
    first, second = gateway_secret(tmp_path), gateway_secret(tmp_path)
    assert first != second and (tmp_path / "gateway_secret").read_text().strip() == second
    session = Session(default_deck(), HOST_TOKEN, counting_tokens())
    runner = HubRunner(session, HOST_TOKEN, "127.0.0.1", 0, ssh=SSHOptions(port=0, key_dir=tmp_path, workers=1))
    async with runner as hosted:
        secret = hosted.hub.gateway_secret
        assert secret and secret not in (first, second), "this start made its own"
        workers = runner.gateway_workers
        assert workers is not None
        (pid,) = workers.pids
        assert secret.encode() not in Path(f"/proc/{pid}/environ").read_bytes()


async def test_connections_past_a_gateways_bound_are_said_once_with_their_count(tmp_path):
    """Under churn, each connection past the bound wrote a line to hub.log (about 1,000 in ten minutes):
    now they are counted, and said in one line when the minute (here 3 s) is over."""
    import logging

    from coproterm.server.logs import bounded_file
    from tests.hubkit import running_hub

    hub_log = tmp_path / "hub.log"
    handler = bounded_file(hub_log)
    logger = logging.getLogger("coproterm.hub")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    sockets = []
    try:
        async with running_hub(gateway_secret=SECRET, gateway_limit=GatewayLimit(live=2), past_bound_every=3.0) as hub:
            for counter in range(7):  # a gateway on 127.0.0.1 speaking for seven people: two within its bound
                address = f"10.77.0.{counter + 1}"
                headers = {GATEWAY_HEADER: gateway_proof(SECRET, "ef" * 8, counter, address), CLIENT_HEADER: address}
                socket = await connect(hub.url, additional_headers=headers, compression=None)
                await socket.send(encode(Hello(name=f"p{counter}")))
                assert isinstance(decode(await socket.recv()), Welcome)
                sockets.append(socket)
            counts = dict(hub.hub.protocol.addresses.counts)
            said = []
            async with asyncio.timeout(30):
                while not said:
                    await asyncio.sleep(0.1)
                    handler.flush()
                    said = [line for line in hub_log.read_text().splitlines() if "vouch" in line]
            for socket in sockets:
                await socket.close()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()
    assert len(said) == 1, said
    assert "the gateway at 127.0.0.1 vouched for more than it may: 5 connection(s) in the last 3 s" in said[0]
    assert counts == {"10.77.0.1": 1, "10.77.0.2": 1, "127.0.0.1": 5}, "the rest counted at the gateway's address"
