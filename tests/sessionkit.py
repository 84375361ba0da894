"""Test helpers for the core's session: people and commands handled straight, with no hub."""

from __future__ import annotations

from pathlib import Path

from coproterm.core.client_messages import Command, Hello
from coproterm.core.deck import load_deck
from coproterm.core.hub_messages import Welcome
from coproterm.core.outcomes import Record, Refused, Tell
from coproterm.core.session import Session
from coproterm.core.wire_terms import Role
from tests.conftest import HOST_TOKEN, counting_tokens

MODERATED_DECK = Path(__file__).parent / "decks" / "moderated.toml"
"""Two open questions, the first moderated from the start."""


def moderated_session() -> Session:
    """A session on :data:`MODERATED_DECK`, its resume tokens from a counter."""
    return Session(load_deck(MODERATED_DECK), HOST_TOKEN, counting_tokens())


def only(outputs):
    """The one answer (a message, or a refusal) among a call's outputs; records are left out."""
    outputs = [o for o in outputs if not isinstance(o, Record)]
    assert len(outputs) == 1, outputs
    (output,) = outputs
    if isinstance(output, Refused):
        return output
    assert isinstance(output, Tell)
    return output.message


def join(session, conn, name="Ann", resume=None):
    """``name`` joins on connection ``conn``: the welcome."""
    welcome = only(session.handle(conn, Hello(name=name, resume=resume)))
    assert isinstance(welcome, Welcome)
    return welcome


def host(session, conn=100):
    """The host joins on connection ``conn``: that connection."""
    welcome = only(session.handle(conn, Hello(host_token=HOST_TOKEN)))
    assert welcome.role is Role.HOST
    return conn


def command(session, action, question, conn=100, seq=1):
    """The host's command, handled: its answer."""
    return only(session.handle(conn, Command(seq, action, question)))
