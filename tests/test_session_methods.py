"""The workshop's :class:`Session` is changed only through its own methods: what the protocol and the hub
used to write into its fields (the version, the log's alert, whether changes are journaled) each has a
method that says what happened, and the fields cannot be written from outside."""

from __future__ import annotations

import pytest

from coproterm.core import read_models
from coproterm.core.alerts import Alert
from coproterm.core.client_messages import Command, Hello
from coproterm.core.deck import default_deck
from coproterm.core.outcomes import Record
from coproterm.core.session import Session
from coproterm.core.wire_terms import Action
from tests.conftest import HOST_TOKEN, counting_tokens

SPECTRUM = 1


def _session() -> Session:
    return Session(default_deck(), HOST_TOKEN, counting_tokens())


@pytest.mark.parametrize("field", ["version", "alert", "journaling"])
def test_no_one_writes_the_sessions_fields(field):
    session = _session()
    with pytest.raises(AttributeError):
        setattr(session, field, 1)


def test_what_the_connections_show_hosts_moves_the_version_and_nothing_else():
    session = _session()
    before, state = session.version, read_models.state(session)
    session.connections_changed()
    assert session.version == before + 1 and read_models.state(session) == state


def test_the_logs_trouble_is_told_until_a_write_succeeds_again():
    session = _session()
    session.journal()
    assert session.journaling
    outputs = session.handle(100, Hello(host_token=HOST_TOKEN)) + session.handle(100, Command(1, Action.GOTO, SPECTRUM))
    events = [o.event for o in outputs if isinstance(o, Record)]
    version = session.version
    session.unsaved(events, Alert.DISK_FULL)
    assert session.alert is Alert.DISK_FULL and read_models.state(session).alert is Alert.DISK_FULL
    assert session.current != SPECTRUM, "the unsaved change is undone"
    assert session.version > version, "subscribers hear of it"
    session.saved([])
    assert session.alert is None and read_models.state(session).alert is None, "a write went through: the alert goes"
    session.journal(False)
    assert not session.journaling
