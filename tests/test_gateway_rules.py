"""The SSH gateway's rules as properties, with the clock handed in (the shell's part, carried out on real
OpenSSH clients, is tests/test_ssh.py and tests/test_ssh_hardening.py): any sequence of arrivals,
passcodes, sessions and join codes from any addresses, checked against a plain model of each rule."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from coproterm.core.gateway_rules import (
    CODE_EVERY,
    CODES_PER_ADDRESS,
    CODES_PER_SESSION,
    FAILURE_WINDOW,
    FAILURES_ALLOWED,
    Admission,
    GatewayRefusal,
    GatewayRules,
    Passcode,
    PasscodeTries,
)
from coproterm.core.limits import NEWCOMERS, TRACKED
from coproterm.core.vouching import UNAUTHENTICATED_PER_ADDRESS

PASSCODE = "river stones"
ADDRESSES = st.sampled_from(["10.0.0.1", "10.0.0.2", "2001:db8::7", "127.0.0.1"])
STEPS = st.floats(0, 200, allow_nan=False)


@given(st.lists(st.tuples(ADDRESSES, st.booleans(), STEPS), max_size=120))
def test_a_passcode_is_compared_only_while_the_address_has_not_typed_too_many_wrong_ones(tries):
    rules = GatewayRules(passcode_set=PASSCODE)
    wrong: dict[str, list[float]] = {}
    now = 0.0
    for address, right, step in tries:
        now += step
        recent = [t for t in wrong.get(address, []) if t >= now - FAILURE_WINDOW]
        locked = len(recent) >= FAILURES_ALLOWED
        assert rules.locked_out(address, now) == locked
        answer = rules.passcode(address, f"  {PASSCODE} " if right else "guess", now)
        if locked:
            assert answer is Passcode.LOCKED_OUT, "locked out: even the right passcode is refused"
        elif right:
            assert answer is Passcode.RIGHT
        else:
            assert answer is Passcode.WRONG
            wrong.setdefault(address, []).append(now)


def test_a_lockout_ends_when_the_window_passes_and_no_passcode_asks_nothing():
    rules = GatewayRules(passcode_set=PASSCODE)
    for i in range(FAILURES_ALLOWED):
        assert rules.passcode("10.0.0.9", "guess", float(i)) is Passcode.WRONG
    assert rules.locked_out("10.0.0.9", FAILURES_ALLOWED) and not rules.locked_out("10.0.0.8", FAILURES_ALLOWED)
    assert rules.passcode("10.0.0.9", PASSCODE, FAILURE_WINDOW) is Passcode.LOCKED_OUT
    assert rules.passcode("10.0.0.9", PASSCODE, FAILURE_WINDOW + FAILURES_ALLOWED) is Passcode.RIGHT
    open_door = GatewayRules()
    assert not open_door.asks_passcode and open_door.passcode("10.0.0.9", "", 0.0) is Passcode.RIGHT
    assert not open_door.locked_out("10.0.0.9", 0.0)


def test_wrong_passcodes_from_many_addresses_are_remembered_in_bounded_memory():
    tries = PasscodeTries()
    for i in range(3 * TRACKED):
        tries.failed(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", now=i * FAILURE_WINDOW / TRACKED)
    assert len(tries.failures) <= 2 * TRACKED, "addresses whose failures are all old are forgotten"
    assert tries.locked_out("10.0.0.1", 0.0) is False


def test_wrong_passcodes_from_more_fresh_addresses_than_it_tracks_at_once_stay_bounded():
    """Many addresses failing within one window (IPv6 makes them cheap): none old enough to forget."""
    tries = PasscodeTries()
    for i in range(TRACKED + 500):
        tries.failed(f"2001:db8::{i:x}", now=1.0)
    assert len(tries.failures) == TRACKED, "the longest-known addresses are forgotten past the bound"
    assert "2001:db8::0" not in tries.failures and f"2001:db8::{TRACKED + 499:x}" in tries.failures


ENTER, LEAVE = "enter", "leave"


@given(
    st.lists(
        st.tuples(st.sampled_from([ENTER, LEAVE]), ADDRESSES, st.booleans(), st.integers(0, 50), st.floats(0, 5)),
        max_size=150,
    ),
    st.integers(0, 6),
)
def test_live_sessions_per_address_never_pass_the_bound_and_each_leaves_once(steps, bound):
    rules = GatewayRules(sessions_per_address=bound)
    live: list[Admission] = []
    now = 0.0
    for kind, address, known, which, step in steps:
        now += step
        if kind == LEAVE and live:
            entry = live.pop(which % len(live))
            rules.left(entry)
            rules.left(entry)  # ending twice (the channel and the app both say so) counts once
            continue
        before = rules.live(address)
        entry = rules.enter(address, newcomer=not known, now=now)
        if isinstance(entry, Admission):
            live.append(entry)
            assert rules.live(address) == before + 1
        else:
            assert rules.live(address) == before, "a refused session is not counted"
            if entry is GatewayRefusal.TOO_MANY_SESSIONS:
                assert bound and before == bound, "refused for sessions only at the bound"
        expected = Counter(e.address for e in live)
        assert all(rules.live(a) == expected[a] for a in ("10.0.0.1", "10.0.0.2", "2001:db8::7", "127.0.0.1"))
        if bound:
            assert all(n <= bound for n in expected.values()), "the machine's own address counts too"


@given(st.integers(1, 3 * NEWCOMERS), st.integers(0, 10))
def test_newcomers_from_one_address_are_limited_and_people_coming_back_never(newcomers, returning):
    rules = GatewayRules(sessions_per_address=0)
    let_in = [rules.enter("10.0.0.3", newcomer=True, now=0.0) for _ in range(newcomers)]
    refused = [e for e in let_in if e is GatewayRefusal.TOO_MANY_NEWCOMERS]
    assert len(refused) == max(0, newcomers - NEWCOMERS)
    assert all(isinstance(rules.enter("10.0.0.3", newcomer=False, now=0.0), Admission) for _ in range(returning))
    assert isinstance(rules.enter("10.0.0.4", newcomer=True, now=0.0), Admission), "other addresses are not touched"


def test_someone_found_to_be_another_person_is_a_newcomer_and_uncounted_when_refused():
    rules = GatewayRules()
    entries = [rules.enter("10.0.0.5", newcomer=False, now=0.0) for _ in range(3)]
    assert all(isinstance(e, Admission) for e in entries)
    for _ in range(NEWCOMERS):
        assert rules.another_person(entries[0], 0.0) is None  # type: ignore[arg-type]
    assert rules.another_person(entries[1], 0.0) is GatewayRefusal.TOO_MANY_NEWCOMERS  # type: ignore[arg-type]
    assert rules.live("10.0.0.5") == 2, "the refused one no longer counts"


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["10.0.0.1", "10.0.0.2"]), STEPS), max_size=80))
def test_join_code_tries_are_bounded_per_session_and_per_address(tries):
    rules = GatewayRules(sessions_per_address=0)
    sessions: dict[tuple[int, str], Admission] = {}
    allowed: Counter[tuple[int, str]] = Counter()
    by_address: Counter[str] = Counter()
    now = 0.0
    for which, address, step in tries:
        now += step
        key = (which, address)
        if key not in sessions:
            entry = rules.enter(address, newcomer=False, now=now)
            assert isinstance(entry, Admission)
            sessions[key] = entry
        if rules.code_try(sessions[key], now):
            allowed[key] += 1
            by_address[address] += 1
        assert allowed[key] <= CODES_PER_SESSION, "one session's tries"
        assert by_address[address] <= CODES_PER_ADDRESS + now / CODE_EVERY, "an address's tries, earned back slowly"


def test_a_session_past_its_tries_is_refused_even_where_the_address_has_some():
    rules = GatewayRules()
    entry = rules.enter("10.0.0.6", newcomer=True, now=0.0)
    assert isinstance(entry, Admission)
    assert [rules.code_try(entry, 0.0) for _ in range(CODES_PER_SESSION + 1)] == [True] * CODES_PER_SESSION + [False]
    other = rules.enter("10.0.0.6", newcomer=True, now=0.0)
    assert isinstance(other, Admission)
    spent = [rules.code_try(other, 0.0) for _ in range(CODES_PER_SESSION)]
    assert spent == [True] * (CODES_PER_ADDRESS - CODES_PER_SESSION) + [False] * (
        2 * CODES_PER_SESSION - CODES_PER_ADDRESS
    )
    assert rules.code_try(rules.enter("10.0.0.6", newcomer=True, now=CODE_EVERY), CODE_EVERY), "one more a minute"  # type: ignore[arg-type]


@given(st.lists(st.tuples(st.booleans(), ADDRESSES), max_size=200))
def test_connections_not_logged_in_are_bounded_per_address_from_the_accept(steps):
    rules = GatewayRules()
    waiting: list[str] = []
    for arrives, address in steps:
        if not arrives and waiting:
            rules.logged_in(waiting.pop(0))
            continue
        held = waiting.count(address)
        own = address == "127.0.0.1"
        assert rules.accepted(address) == (own or held < UNAUTHENTICATED_PER_ADDRESS)
        if own or held < UNAUTHENTICATED_PER_ADDRESS:
            waiting.append(address)


class _Headers:
    """A handshake's headers: every value of each name."""

    def __init__(self, *pairs: tuple[str, str]) -> None:
        self.pairs = pairs

    def get_all(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name.lower() == key.lower()]


def test_the_hub_asks_one_place_where_a_gateways_connection_counts():
    from coproterm.core.vouching import CLIENT_HEADER, GATEWAY_HEADER, GatewayLimit, Vouched, Vouching, gateway_proof

    secret, gateway = "the-secret", "192.0.2.9"
    vouching = Vouching(secret, GatewayLimit(live=1))

    def asked(counter: int, named: str, *, twice: bool = False, secret_: str = secret):  # type: ignore[no-untyped-def]
        proof = (GATEWAY_HEADER, gateway_proof(secret_, "ab" * 8, counter, named))
        return vouching.vouch(_Headers(proof, *([proof] if twice else []), (CLIENT_HEADER, named)), gateway, 0.0)

    assert vouching.vouch(_Headers(), gateway, 0.0).outcome is Vouched.NOT_ASKED
    assert asked(0, "10.0.0.1", secret_="another").outcome is Vouched.WRONG_PROOF
    assert asked(1, "10.0.0.1", twice=True).outcome is Vouched.WRONG_PROOF, "a header given twice is no proof"
    assert asked(2, "127.0.0.1").address == gateway, "never the hub's own address: the gateway's instead"
    first = asked(3, "10.0.0.1")
    assert (first.outcome, first.address) == (Vouched.VOUCHED, "10.0.0.1")
    assert asked(3, "10.0.0.1").outcome is Vouched.WRONG_PROOF, "a replay"
    past = [asked(4 + i, f"10.0.0.{i + 2}") for i in range(3)]
    assert all(v.outcome is Vouched.PAST_BOUND and v.address == gateway for v in past)
    assert vouching.past_bound_to_say() == {gateway: 3} and vouching.past_bound_to_say() == {}, "said once"
    vouching.closed(first)
    assert asked(9, "10.0.0.9").outcome is Vouched.VOUCHED, "room again once one closed"
