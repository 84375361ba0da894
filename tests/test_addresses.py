"""The address the room is shown: ranked as a person would, the facilitator's choice, and one that disappears."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from coproterm.server.addresses import Interface, advertised_ipv4, join_hosts, rank
from coproterm.tui.host.app import HostApp
from coproterm.tui.host.joining import Joining
from tests.conftest import HOST_TOKEN
from tests.facekit import text_of, until
from tests.hubkit import running_hub
from tests.textualkit import notifications_of

WIFI = Interface("wlan0", "192.168.1.20")
DOCKER = Interface("docker0", "172.17.0.1")
VPN = Interface("tun0", "10.77.0.1")
WIREGUARD = Interface("wg0", "10.8.0.2")
BRIDGE = Interface("br-4c1f0e2a9b1d", "172.18.0.1")
LIBVIRT = Interface("virbr0", "192.168.122.1")
LINK_LOCAL = Interface("eth1", "169.254.7.9")
CABLE = Interface("enp0s31f6", "10.20.30.40")
LOOPBACK = Interface("lo", "127.0.0.1")


def test_the_venue_wifi_comes_first_and_virtual_networks_are_left_out():
    # The order the system lists them in puts the VPN and Docker first (and alphabetically 10.x and 172.x win).
    laptop = [LOOPBACK, VPN, DOCKER, BRIDGE, LIBVIRT, WIREGUARD, LINK_LOCAL, WIFI]
    assert rank(laptop, default_route="192.168.1.20") == ["192.168.1.20"]
    # A VPN that carries the default route (a full tunnel) is still no way in for the room.
    assert rank(laptop, default_route="10.77.0.1") == ["192.168.1.20"]


def test_the_default_routes_interface_comes_before_another_real_one():
    # A venue whose network is 10.x, and a cable to a projector's 192.168.x network.
    assert rank([Interface("eth0", "192.168.0.5"), CABLE], default_route="10.20.30.40") == [
        "10.20.30.40",
        "192.168.0.5",
    ]
    # No default route at all (a room router with no internet): the system's order, not the alphabet's.
    assert rank([CABLE, WIFI]) == ["10.20.30.40", "192.168.1.20"]


def test_windows_and_macos_names_and_descriptions():
    windows = [
        Interface("{5A1E…}", "172.29.112.1", "vEthernet (WSL)"),
        Interface("{9F00…}", "10.8.0.6", "TAP-Windows Adapter V9"),
        Interface("{77AB…}", "192.168.56.1", "VirtualBox Host-Only Ethernet Adapter"),
        Interface("{1C2D…}", "192.168.1.33", "Wi-Fi"),
    ]
    assert rank(windows, default_route="192.168.1.33") == ["192.168.1.33"]
    macos = [Interface("utun3", "10.64.0.2"), Interface("bridge100", "192.168.2.1"), Interface("en0", "192.168.1.40")]
    assert rank(macos, default_route="10.64.0.2") == ["192.168.1.40"]


def test_with_nothing_but_virtual_networks_they_are_shown_rather_than_nothing():
    # A laptop sharing its connection as a hotspot (macOS names that bridge bridge100): better than loopback.
    assert rank([LOOPBACK, Interface("bridge100", "192.168.2.1")]) == ["192.168.2.1"]
    assert rank([LOOPBACK]) == []


def test_advertise_puts_the_facilitators_choice_first():
    assert join_hosts("0.0.0.0", "coproterm.local")[0] == "coproterm.local"
    assert join_hosts("0.0.0.0", "192.0.2.77")[0] == "192.0.2.77"
    assert advertised_ipv4("192.0.2.77") == ["192.0.2.77"]
    assert advertised_ipv4("localhost") == ["127.0.0.1"]
    assert advertised_ipv4("no-such-host.invalid") == []


def test_the_cli_takes_advertise():
    from coproterm.cli import _parser

    args = _parser().parse_args(["host", "--advertise", "coproterm.local"])
    assert args.advertise == "coproterm.local"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def venue():
    """A network namespace with the interfaces of a facilitator's laptop: Wi-Fi, Docker, a VPN; run code in it."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("network namespaces need root and iproute2")
    name = f"coproterm-venue-{uuid.uuid4().hex[:8]}"
    _ip("netns", "add", name)
    try:
        inside = ("ip", "netns", "exec", name)
        laptop = (("wlan0", "192.168.1.20/24"), ("docker0", "172.17.0.1/16"), ("tun0", "10.77.0.1/24"))
        for n, (kind, address) in enumerate(laptop):  # veth pairs: the kernel here may have no dummy interfaces
            add = ["ip", "link", "add", kind, "type", "veth", "peer", "name", f"other{n}"]
            subprocess.run([*inside, *add], check=True, capture_output=True)
            subprocess.run([*inside, "ip", "link", "set", f"other{n}", "up"], check=True, capture_output=True)
            subprocess.run([*inside, "ip", "addr", "add", address, "dev", kind], check=True, capture_output=True)
            subprocess.run([*inside, "ip", "link", "set", kind, "up"], check=True, capture_output=True)
        subprocess.run(
            [*inside, "ip", "route", "add", "default", "via", "192.168.1.1"], check=True, capture_output=True
        )

        def run(code: str) -> str:
            done = subprocess.run(
                [*inside, sys.executable, "-c", code],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).parent.parent,
            )
            return done.stdout.strip()

        yield run, inside
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def test_the_real_interfaces_of_a_laptop_rank_the_wifi_alone(venue):
    run, inside = venue
    ask = "from coproterm.server.addresses import lan_ipv4_addresses as a, default_route_address as d; print(a(), d())"
    assert run(ask) == "['192.168.1.20'] 192.168.1.20"
    # The Wi-Fi goes away mid-session: the next look no longer has it.
    subprocess.run([*inside, "ip", "link", "del", "wlan0"], check=True, capture_output=True)
    assert run(ask) == "['172.17.0.1', '10.77.0.1'] None"  # only virtual ones left: shown rather than nothing


async def test_a_key_cycles_the_address_shown_and_the_qr_code_follows(tmp_path):
    chosen: list[str] = []
    async with running_hub() as hub:
        host = HostApp(
            hub.url,
            HOST_TOKEN,
            ["192.168.1.20:8765", "10.20.30.40:8765"],
            ssh=("ssh -p 2222 YOURNAME@192.168.1.20", None),
            web=True,
            show_address=chosen.append,
        )
        async with host.run_test(size=(120, 40)) as hp:
            await until(hp, lambda: "coproterm join 192.168.1.20:8765" in text_of(host, "#join-how"))
            shown = text_of(host, "#join-how")
            assert "ssh -p 2222 YOURNAME@192.168.1.20" in shown and "10.20.30.40" in shown, shown
            await hp.press("a")
            await until(hp, lambda: "coproterm join 10.20.30.40:8765" in text_of(host, "#join-how"))
            shown = text_of(host, "#join-how")
            assert "ssh -p 2222 YOURNAME@10.20.30.40" in shown and "http://10.20.30.40:8765/" in shown, shown
            assert chosen == ["10.20.30.40"]
            await hp.press("c")
            await until(hp, lambda: type(host.screen).__name__ == "QRScreen")
            assert host.screen.data.startswith("http://10.20.30.40:8765/")
            await hp.press("escape")
            await hp.press("a")
            await until(hp, lambda: "coproterm join 192.168.1.20:8765" in text_of(host, "#join-how"))
            assert chosen == ["10.20.30.40", "192.168.1.20"]


async def test_the_ssh_line_asks_for_a_name_in_welsh_too():
    async with running_hub() as hub:
        host = HostApp(hub.url, HOST_TOKEN, ["192.168.1.20:8765"], ssh=("ssh -p 2222 192.168.1.20", None), lang="cy")
        async with host.run_test(size=(120, 40)) as hp:
            await until(hp, lambda: "ssh -p 2222 EICHENW@192.168.1.20" in text_of(host, "#join-how"))


async def test_an_address_that_disappears_is_noticed_and_the_next_best_is_shown():
    addresses = [["192.168.1.20:8765", "10.20.30.40:8765"]]
    chosen: list[str] = []
    async with running_hub() as hub:
        host = HostApp(
            hub.url,
            HOST_TOKEN,
            addresses[0],
            find_addresses=lambda: addresses[0],
            show_address=chosen.append,
        )
        async with host.run_test(size=(120, 40)) as hp:
            await until(hp, lambda: "coproterm join 192.168.1.20:8765" in text_of(host, "#join-how"))
            addresses[0] = ["10.20.30.40:8765"]  # the Wi-Fi dropped
            host.look_at_addresses()
            await until(hp, lambda: "coproterm join 10.20.30.40:8765" in text_of(host, "#join-how"), timeout=10)
            assert chosen == ["10.20.30.40"]
            said = " ".join(str(n.message) for n in notifications_of(host))
            assert "192.168.1.20 is no longer an address of this machine" in said, said


def test_joining_keeps_the_chosen_address_while_others_come_and_go():
    joining = Joining.of("ws://127.0.0.1:8765", ["192.168.1.20:8765", "10.0.0.5:8765"], None).cycled()
    assert joining.target == "10.0.0.5:8765"
    assert joining.found(["10.0.0.5:8765", "172.16.0.9:8765"]).target == "10.0.0.5:8765"
    assert joining.found(["172.16.0.9:8765"]).target == "172.16.0.9:8765"


async def test_the_network_advertisement_carries_the_address_chosen(tmp_path):
    from coproterm.client.discovery import DiscoveryUnavailable, browse
    from coproterm.core.deck import default_deck
    from coproterm.server.hub_runner import HubRunner, prepare

    try:
        await browse(lambda found: None, seconds=0.1, interfaces=["127.0.0.1"])
    except DiscoveryUnavailable as error:
        pytest.skip(f"no multicast DNS on loopback here: {error}")
    prepared = prepare(default_deck(), data=tmp_path)
    runner = HubRunner(prepared.session, prepared.host_token, "127.0.0.1", 0, prepared.store, advertise=True)
    async with runner as hosted:
        assert hosted.discovery_problem is None
        await hosted.show_address("127.0.0.2")  # as the a key tells it
        heard = []
        await browse(heard.append, seconds=4, interfaces=["127.0.0.1"])
        ours = [found.address for found in heard if found.address.endswith(f":{hosted.port}")]
        assert ours and set(ours) == {f"127.0.0.2:{hosted.port}"}, heard
