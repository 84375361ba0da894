"""Who is in the workshop: the participants (by resume token and by number, with their names and
languages) and the connections (each one's role, its participant, and the language of the deck it
was welcomed with).

Pure bookkeeping held by :class:`~coproterm.core.session.Session` (its ``roster``); the session
decides who may join, and changes the roster through the events it applies (:meth:`Roster.apply_joined`,
:meth:`Roster.apply_spoke`), each returning how to undo it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from coproterm.core.events import Joined, Spoke
from coproterm.core.outcomes import ConnId
from coproterm.core.wire_terms import MAX_NAME, Role

MAX_RECORDS = 50_000
"""How many different participants a session keeps (about 0.5 KB each, kept so anyone can come back)."""


@dataclass(slots=True)
class Participant:
    """Someone who joined; they keep their votes while away."""

    number: int
    """Order of joining, from 1; what exports call them."""
    token: bytes
    name: str
    votes: dict[int, int] = field(default_factory=dict)
    """The cell each question's vote names; no entry where there is no vote."""
    conn: ConnId | None = None
    """The connection they are on now, None while away."""
    language: str = ""
    """The language they chose ("cy", "en"); empty until they choose one."""


class Roster:
    """The participants and the connections of one session."""

    def __init__(self) -> None:
        self.participants: dict[bytes, Participant] = {}
        """Everyone who joined, away or not, by resume token."""
        self.numbered: dict[int, Participant] = {}
        """The same participants, by number."""
        self.last_number = 0
        """The highest participant number given (numbers are never reused, even after an undo)."""
        self.roles: dict[ConnId, Role] = {}
        """Each welcomed connection's role."""
        self.members: dict[ConnId, Participant] = {}
        """The participant on each participant's connection."""
        self.deck_language: dict[ConnId, str] = {}
        """Participants whose welcome's deck is in one language only: which."""

    @property
    def connected(self) -> int:
        """Participants connected now."""
        return len(self.members)

    def knows(self, resume: bytes | None) -> bool:
        """Whether a hello with this resume token comes back as someone who joined before."""
        return resume is not None and resume in self.participants

    def disconnect(self, conn: ConnId) -> bool:
        """Forget a connection; its participant stays, away, with their votes. Whether someone went away."""
        self.roles.pop(conn, None)
        self.deck_language.pop(conn, None)
        member = self.members.pop(conn, None)
        if member is not None and member.conn == conn:
            member.conn = None
            return True
        return False

    def orphans(self) -> list[ConnId]:
        """Forget the connections whose participant no longer exists (their joining was undone); returns them."""
        orphans = [conn for conn, member in self.members.items() if member.token not in self.participants]
        for conn in orphans:
            self.roles.pop(conn, None)
            self.members.pop(conn, None)
        return orphans

    def apply_joined(self, event: Joined) -> Callable[[], None]:
        member = self.participants.get(event.token)
        if member is None:
            member = Participant(event.participant, event.token, event.name)
            self.participants[event.token] = member
            self.numbered[event.participant] = member
            self.last_number = max(self.last_number, event.participant)

            def forget() -> None:
                self.participants.pop(event.token, None)
                self.numbered.pop(event.participant, None)

            return forget
        before = member.name
        member.name = event.name

        def rename() -> None:
            member.name = before

        return rename

    def apply_spoke(self, event: Spoke) -> Callable[[], None]:
        member = self.numbered.get(event.participant)
        if member is None:  # a damaged log's row: a language for nobody changes nothing
            return lambda: None
        before = member.language
        member.language = event.language

        def undo() -> None:
            member.language = before

        return undo


def clean_name(name: str) -> str:
    """A display name safe to show: no control or format characters, trimmed, bounded."""
    kept = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:MAX_NAME]
