"""`coproterm join`: the participant app."""

from __future__ import annotations

import asyncio
import importlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coproterm.client.identities import Identity
from coproterm.client.leaving import marks_counted
from coproterm.client.link import LinkStatus, Phase
from coproterm.core.client_messages import Answer, Choose, Hello, Vote
from coproterm.core.hub_messages import ToMark, Welcome
from coproterm.core.i18n import ENGLISH
from coproterm.core.view import MARKS_WAIT
from coproterm.core.wire import Message as WireMessage
from coproterm.tui.hub_app import HubApp
from coproterm.tui.participant.vote_screen import VoteScreen
from coproterm.tui.widgets.answer_box import AnswerBox

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.timer import Timer

    from coproterm.tui.participant.find_screen import FindScreen
    from coproterm.tui.widgets.marking import MarkPanel  # loaded by the vote screen when a round first opens

LATER_PARTS = ("board", "tally", "marking", "wall")
"""The modules of coproterm/tui/widgets/ the vote screen imports when a question first needs them (a board,
results, an agreement round, the room's words), not at the start: the built-in deck's first question has none."""


def load_every_part() -> None:
    """Import :data:`LATER_PARTS` now: a process that draws many screens (an SSH worker) loads them before its first."""
    for name in LATER_PARTS:
        importlib.import_module(f"coproterm.tui.widgets.{name}")


class ParticipantApp(HubApp):
    """Join a session and place your work on the board."""

    TITLE = "coproterm"
    ENABLE_COMMAND_PALETTE = False  # nothing in it a participant needs; its key is better spent on "leave"
    ADDRESS_BOX = True
    """Whether a wrong address sends the participant back to the address box (not where the hub picks the address)."""
    REMEMBERS = True
    """Whether this machine keeps who the participant was, to come back after a restart (not over SSH:
    the gateway keeps each SSH person's identity itself)."""

    def __init__(
        self,
        url: str | None,
        name: str = "",
        code: str | None = None,
        *,
        discover: bool = True,
        discovery_interfaces: list[str] | None = None,
        lang: str = ENGLISH,
    ) -> None:
        super().__init__(url or "", lang=lang)
        self.display_name = name
        self.code = code
        """The join code to give, if the session needs one (typed on the command line or asked for)."""
        self._discover = discover
        self._discovery_interfaces = discovery_interfaces
        self._identity: Identity | None = None
        self._marks_timer: Timer | None = None
        self._heard = asyncio.Event()
        """Set on each message and change of link status: what a face leaving waits on (the marks' Ack)."""
        self._leaving: asyncio.Task[None] | None = None
        """Sending the held marks on the way out (:meth:`exit`), once."""
        self._marks_left = False
        """The held marks were sent on the way out: they are not sent again."""

    def hello(self) -> Hello:
        return Hello(
            name=self.display_name or None,
            resume=self.view.resume,
            code=self.code,
            language=self.view.hello_language(),
        )

    def on_mount(self) -> None:
        if self.url:
            self._claim_identity()
            self.push_screen(VoteScreen())
            self.connect()
        else:
            self.push_screen(self._find_screen())

    def _find_screen(self, problem: str = "") -> FindScreen:
        from coproterm.tui.participant.find_screen import FindScreen  # here: joining by address never looks

        return FindScreen(
            discover=self._discover,
            interfaces=self._discovery_interfaces,
            address=self.url.removeprefix("ws://"),
            problem=problem,
        )

    def on_find_screen_session_chosen(self, event: FindScreen.SessionChosen) -> None:
        self.url = self.link.url = event.url
        self._claim_identity()
        self.switch_screen(VoteScreen())
        self.connect()

    def _claim_identity(self) -> None:
        """Come back as whoever this app was at this hub under this name, if no other app here is them now."""
        if not self.REMEMBERS or self.view.resume is not None:
            return
        if self._identity is not None:
            self._identity.release()
        self._identity = Identity(self.url, self.display_name)
        self.view.resume = self._identity.token

    def _take_message(self, message: WireMessage) -> None:
        super()._take_message(message)
        self._heard.set()
        if isinstance(message, ToMark) and self.view.marks_due:
            self.call_later(self._send_marks)  # held marks that could not go before, now that there is an offer
        if isinstance(message, Welcome) and self._identity is not None and self.view.resume is not None:
            self._identity.keep(self.view.resume)

    def _post_status(self, status: LinkStatus) -> None:
        super()._post_status(status)
        self._heard.set()

    async def before_leaving(self) -> None:
        """Every way out: the marks held here go now, and the hub's Ack is waited for a moment
        (:func:`~coproterm.client.leaving.marks_counted`), not the 10 s they might have waited for more."""
        if self._marks_left:
            return
        self._marks_left = True
        if self._marks_timer is not None:
            self._marks_timer.stop()
            self._marks_timer = None
        while self.view.marks_held:
            held = len(self.view.marks_held)
            await self._send_marks()
            if len(self.view.marks_held) >= held:
                break  # none could go (no link, or no offer since the last welcome)
        await marks_counted(self.view, self._heard, lambda: self.link.connected)

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """End the app; the marks held here go first (q leaves through :meth:`leave`, which sends them itself;
        this is every other way out: an SSH client gone, the gateway stopping, p for plain mode, a closed round)."""
        if self._leaving is not None:
            return  # on its way out already, once the marks are counted (at most LEAVE_WAIT seconds)
        if self._marks_left or not (self.view.marks_held or self.view.marks_sent) or not self.is_running:
            super().exit(result, return_code, message)
            return

        async def marks_then_exit() -> None:
            try:
                await self.before_leaving()
            finally:
                super(ParticipantApp, self).exit(result, return_code, message)

        self._leaving = asyncio.get_running_loop().create_task(marks_then_exit())

    def on_unmount(self) -> None:
        if self._identity is not None:
            self._identity.release()  # a process that ends releases it anyway; an app in a test may not end

    def on_hub_app_status_changed(self, event: HubApp.StatusChanged) -> None:
        status = event.status
        if status.phase is Phase.STOPPED and status.unreachable and self.ADDRESS_BOX:
            # A typo or nothing listening: back to the address box, not a retry that cannot succeed.
            self.switch_screen(self._find_screen(status.words(self.lang)))

    def on_vote_screen_code_given(self, event: VoteScreen.CodeGiven) -> None:
        self.code = event.code
        self.connect()

    async def on_vote_screen_vote_chosen(self, event: VoteScreen.VoteChosen) -> None:
        state = self.view.state
        if state is None:
            return
        question = self.view.question
        several = question is not None and question.several
        choice = event.choice
        if event.toggle and choice is not None:
            # Built on the set last sent, not the last accepted: a quick second pick keeps the first.
            choice = ((self.view.latest_vote(state.current) or 0) ^ (1 << choice)) or None
        seq = self.next_seq()
        self.view.sent(seq, state.current, choice)
        message = Choose(seq, state.current, choice or 0) if several else Vote(seq, state.current, choice)
        if not await self.send(message, seq):
            self.view.unsent(seq)
            self.notify(
                self.t("Not connected: your vote was not sent. It will be possible again once reconnected."),
                severity="warning",
            )
        self.revision += 1

    async def on_mark_panel_stance_chosen(self, event: MarkPanel.StanceChosen) -> None:
        offer = self.view.current_to_mark
        if offer is None or (offer.question, offer.answer) != (event.question, event.answer):
            return  # a key press that raced the next offer
        self.view.mark(event.answer, event.stance)
        self.revision += 1  # the next answer shows at once; the marks go a few at a time
        if self._marks_timer is not None:
            self._marks_timer.stop()
            self._marks_timer = None
        if self.view.marks_due:
            await self._send_marks()
        else:
            self._marks_timer = self.set_timer(MARKS_WAIT, self._send_marks)

    async def _send_marks(self) -> None:
        """Send the marks held here as one frame (unsent, they wait for the next welcome: none is lost)."""
        self._marks_timer = None
        seq = self.next_seq()
        message = self.view.send_marks(seq)
        if message is not None and not await self.send(message, seq):
            self.view.marks_unsent(seq)

    async def on_answer_box_written(self, event: AnswerBox.Written) -> None:
        seq = self.next_seq()
        self.view.written.sent(seq, event.question, event.slot, event.text)
        if not await self.send(Answer(seq, event.question, event.slot, event.text), seq):
            self.view.written.refused(seq)
            self.notify(
                self.t("Not connected: your answer was not sent. It will be possible again once reconnected."),
                severity="warning",
            )
        self.revision += 1

    keep_at_end = False
    """Over SSH: print the participant's record into their terminal as the session ends (they asked with k)."""

    def action_keep(self) -> None:
        """Write this participant's own record (see :mod:`coproterm.export.takehome`) here, and say where."""
        from coproterm.export.takehome import record_html, record_name

        if self.view.deck is None:
            return
        now = datetime.now()
        path = Path.cwd() / record_name(self.view.deck.title, f"{now:%Y-%m-%d}")
        try:
            path.write_text(record_html(self.view, f"{now:%Y-%m-%d %H:%M}"), encoding="utf-8")
        except OSError as error:
            self.notify(self.t("Your answers could not be kept: {why}", why=error.strerror or error), severity="error")
            return
        self.notify(self.t("Your answers are kept in {file}", file=path), timeout=12)

    def record_text(self) -> str:
        """This participant's own record as plain text (an SSH session prints it as it ends)."""
        from coproterm.core.takehome import record_text

        return record_text(self.view, f"{datetime.now():%Y-%m-%d %H:%M}") if self.view.deck is not None else ""

    wants_plain = False
    """The participant asked for plain mode (p): whoever ran this app goes on in the plain app, as the same
    participant (``coproterm join`` on this terminal, the SSH gateway on the same channel)."""

    def action_plain(self) -> None:
        """Leave the full-screen app for plain mode: lines only, for a screen reader or a braille display."""
        self.wants_plain = True
        self.exit()

    def action_retry(self) -> None:
        """Connect again after the hub stopped the link (not after the session ended)."""
        status = self.link_status
        if status.phase is Phase.STOPPED and not status.ended:
            self.connect()
