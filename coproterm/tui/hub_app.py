"""What both faces share: a hub connection owned by the app, and the view it feeds.

:class:`HubApp` runs a :class:`~coproterm.client.link.Link` in an exclusive
worker. Every message from the hub is folded into :attr:`HubApp.view` as it
arrives (a message the view cannot make sense of stops the link, as a
malformed frame does), then a :class:`HubApp.Changed` is posted (a burst
collapses to one), which bumps :attr:`HubApp.revision`: screens watch it and
redraw. State flows down: only the app changes the view. Screens send their
wishes up as messages (a vote, a command, leaving) and the app carries them
out.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Mapping
from typing import Any

from textual import events, work
from textual.app import App
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from coproterm.client.link import Link, LinkStatus, Phase
from coproterm.core.client_messages import ChooseLanguage, Hello
from coproterm.core.hub_messages import Ack, ChosenLanguage, Error, Translated, Welcome
from coproterm.core.i18n import ENGLISH, Language, language
from coproterm.core.view import SessionView
from coproterm.core.wire import Message as WireMessage
from coproterm.core.wire_terms import LANGUAGE_CODES, Role
from coproterm.tui.outside_stop import continue_cleanly

LANGUAGE_KEY = "i"
"""The language key: i for iaith, free on every screen in both languages."""
LANGUAGE_LABEL = "Cymraeg / English"
"""What the language key shows, the same in both languages: whoever cannot read the screen still finds it."""

NOTICE_FLOOR = 1.5
"""Seconds a notice stays whatever keys come: keys already on their way (a paste, a held key) must not
take away, unread, the notice they caused."""

SLOW_ANSWER = 3.0
"""Seconds without an answer to something sent before the app says it is waiting for the hub."""


class HubApp(App[None]):
    """An app that keeps one connection to a hub."""

    # repaint=False: a reactive repaints its owner by default, and the owner here is the
    # whole app; screens redraw what changed themselves (over SSH a full repaint is ~5 KB).
    revision: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Bumped by the app whenever the view changed; screens watch it."""
    link_status: reactive[LinkStatus] = reactive(LinkStatus(Phase.CONNECTING), repaint=False)
    """What the link last reported."""
    hub_silent: reactive[bool] = reactive(False, repaint=False)
    """Something sent has gone unanswered for :data:`SLOW_ANSWER` seconds: the hub may be stalled."""
    lang: reactive[Language] = reactive(language(ENGLISH), repaint=False)
    """The language this person reads (switched with :meth:`action_language`); screens watch it."""

    slow_answer = SLOW_ANSWER

    class Changed(Message):
        """The view changed (one message folded in, or more: a burst collapses)."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, HubApp.Changed)

    class HubRefused(Message):
        """The hub refused something this app sent."""

        def __init__(self, error: Error) -> None:
            super().__init__()
            self.error = error
            """The hub's refusal (its text already cleaned by the view)."""

    class StatusChanged(Message):
        """The connection changed: connecting, open, waiting to retry, stopped."""

        def __init__(self, status: LinkStatus) -> None:
            super().__init__()
            self.status = status
            """What the link reports."""

    def __init__(self, url: str, *, headers: Mapping[str, str] | None = None, lang: str = ENGLISH) -> None:
        super().__init__()
        self.url = url
        self.view = SessionView()
        """What the hub told this app; only the app changes it."""
        self.set_reactive(HubApp.lang, language(lang))
        self._chosen: str | None = None
        """The language chosen with the key in this app's life (it outranks the one the hub remembers)."""
        self._awaited: Language | None = None
        """The language chosen with the key, shown once the hub sends the deck in its words."""
        self.view.speak(self.lang)
        self._seq = itertools.count(1)
        self._unanswered: dict[int, asyncio.TimerHandle] = {}
        self.link = Link(url, self.hello, self._take_message, self._post_status, headers=headers)
        self._notified = False
        self._notified_at = 0.0
        """A notice was shown since the last key: the next key clears the notices."""

    def on_mount(self) -> None:
        # (Subclasses' on_mount handlers run too: Textual calls the handler of every class in the MRO.)
        continue_cleanly(self)

    def hello(self) -> Hello:
        """The hello this app sends on every (re)connection."""
        return Hello(resume=self.view.resume, language=self.view.hello_language())

    def next_seq(self) -> int:
        """A new sequence number, for a message that the hub answers."""
        return next(self._seq)

    @work(exclusive=True, group="link")
    async def connect(self) -> None:
        """Keep the connection to the hub (restart it to retry after a refusal)."""
        await self.link.run()

    def _take_message(self, message: WireMessage) -> None:
        """Called by the link for each message: into the view now, the screens told soon."""
        chosen = self._chosen
        if isinstance(message, ChosenLanguage) and chosen is not None:
            return  # chosen here since this app began: newer than what the hub remembers (it is told below)
        self.view.apply(message)
        self.view.arrived(time.monotonic())
        if isinstance(message, ChosenLanguage):  # the language this participant chose before: theirs again
            self.lang = self.view.language
        awaited = self._awaited
        if isinstance(message, Translated) and awaited is not None and message.language == awaited.code:
            self._awaited = None
            self.speak(awaited)
        if isinstance(message, Welcome) and message.role is Role.PARTICIPANT and chosen in LANGUAGE_CODES:
            self.run_worker(self.link.send(ChooseLanguage(chosen)), group="language")
        if isinstance(message, (Ack, Error)) and message.seq is not None:
            self._answered(message.seq)
            if isinstance(message, Error) and self.view.refusal is not None:
                self.post_message(self.HubRefused(self.view.refusal))
        self.post_message(self.Changed())

    def _post_status(self, status: LinkStatus) -> None:
        self.post_message(self.StatusChanged(status))

    async def action_language(self) -> None:
        """Switch between Cymraeg and English (the "Cymraeg / English" key); the hub remembers a participant's.

        Where the deck came in the other language only, the screen turns when the hub's
        :class:`Translated` arrives, all of it at once: no screen mixes the two languages.
        """
        chosen = (self._awaited or self.lang).other()
        self._chosen = chosen.code
        if self.view.role is Role.PARTICIPANT and chosen.code in LANGUAGE_CODES:
            # If it cannot go now, it goes after the next welcome.
            sent = await self.link.send(ChooseLanguage(chosen.code))
            if sent and self.view.deck_language not in (None, chosen.code):
                self._awaited = chosen
                return
        self._awaited = None
        self.speak(chosen)

    def speak(self, chosen: Language) -> None:
        """Read everything in ``chosen`` from now on: the deck, the screens, the key bar."""
        self.view.speak(chosen)
        self.lang = chosen
        self.revision += 1

    def t(self, message: str, /, **values: object) -> str:
        """``message`` in this person's language (see :meth:`Language.t`)."""
        return self.lang.t(message, **values)

    async def on_event(self, event: events.Event) -> None:
        # A key takes the notices away (before it does anything else, so one it brings stays):
        # a notice is read once, and never covers the board through the next questions.
        if isinstance(event, events.Key) and self._notified and time.monotonic() - self._notified_at >= NOTICE_FLOOR:
            self._notified = False
            self.clear_notifications()
        await super().on_event(event)

    def notify(self, message: str, **options: Any) -> None:
        """Textual's, remembering that a notice may be showing (the next key takes it away)."""
        self._notified = True
        self._notified_at = time.monotonic()
        super().notify(message, **options)

    def on_hub_app_changed(self, event: Changed) -> None:
        self.revision += 1

    def on_hub_app_status_changed(self, event: StatusChanged) -> None:
        if event.status.phase is not Phase.OPEN:
            self._forget_unanswered()
        self.link_status = event.status

    # -- sending -------------------------------------------------------------------

    async def send(self, message: WireMessage, seq: int) -> bool:
        """Send a message the hub will answer; False if it could not go. Watches for a slow answer."""
        if not await self.link.send(message):
            return False
        loop = asyncio.get_running_loop()
        self._unanswered[seq] = loop.call_later(self.slow_answer, self._still_unanswered)
        return True

    def _answered(self, seq: int) -> None:
        timer = self._unanswered.pop(seq, None)
        if timer is not None:
            timer.cancel()
        if not self._unanswered:
            self.hub_silent = False

    def _still_unanswered(self) -> None:
        self.hub_silent = True

    def _forget_unanswered(self) -> None:
        for timer in self._unanswered.values():
            timer.cancel()
        self._unanswered.clear()
        self.hub_silent = False

    # -- leaving -------------------------------------------------------------------

    async def leave(self) -> None:
        """Close the connection (briefly: a stalled hub must not hold the door) and exit."""
        await self.before_leaving()
        self._forget_unanswered()
        await self.link.close()
        self.workers.cancel_group(self, "link")
        self.exit()

    async def before_leaving(self) -> None:
        """What must reach the hub before the connection closes (nothing, here)."""

    async def action_quit(self) -> None:
        await self.leave()


def describe_link(status: LinkStatus, url: str, *, hub_silent: bool = False, lang: Language | None = None) -> str:
    """The connection's state in a few words, with its cue symbol."""
    t = (lang or language(ENGLISH)).t
    match status.phase:
        case Phase.OPEN:
            return t("◌ connected, but the hub is not answering") if hub_silent else t("● connected")
        case Phase.CONNECTING:
            if status.attempt <= 1:
                return t("◌ connecting to {address}…", address=url)
            return t("◌ reconnecting (try {attempt})…", attempt=status.attempt)
        case Phase.WAITING:
            words = status.words(lang or language(ENGLISH))
            return t("◌ {problem}; trying again in {seconds} s", problem=words, seconds=f"{status.delay:.0f}")
        case Phase.STOPPED:
            words = status.words(lang or language(ENGLISH))
            return words if status.ended else f"✖ {words}"
    return ""


class HubScreen(Screen[None]):
    """A screen drawn from its app's view of the hub: it redraws when the view or the link changes."""

    @property
    def hub(self) -> HubApp:
        """The app, typed: the view to draw from, the link's status."""
        assert isinstance(self.app, HubApp)
        return self.app

    def on_mount(self) -> None:
        # A screen's own on_mount runs as well as this one: Textual calls the handler of every class in the MRO.
        self.watch(self.hub, "revision", self.redraw)
        self.watch(self.hub, "link_status", self.redraw)
        self.watch(self.hub, "hub_silent", self.redraw)
        self.watch(self.hub, "lang", self.relabel, init=False)

    def relabel(self) -> None:
        """Draw everything again in the app's new language (the key bar's words among it)."""
        self.refresh_bindings()
        self.redraw()

    def redraw(self) -> None:
        """Bring the screen up to date with ``self.hub.view``."""
