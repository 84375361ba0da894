"""What both faces share: a hub connection owned by the app, and the view it feeds.

:class:`HubApp` runs a :class:`~coproterm.client.link.Link` in an exclusive
worker. Every message from the hub becomes a :class:`HubApp.Received` (state
and tally updates replace each other in the queue, so a burst collapses to the
latest), is folded into :attr:`HubApp.view`, and bumps :attr:`HubApp.revision`,
which screens watch to redraw.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from textual import events, work
from textual.app import App
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from coproterm.client.link import Link, LinkStatus, Phase
from coproterm.core.view import SessionView
from coproterm.core.wire import Hello, State, Tally, Turnout
from coproterm.core.wire import Message as WireMessage


class HubApp(App[None]):
    """An app that keeps one connection to a hub."""

    # repaint=False: a reactive repaints its owner by default, and the owner here is the
    # whole app; screens redraw what changed themselves (over SSH a full repaint is ~5 KB).
    revision: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Bumped whenever the view changed; screens watch it."""
    link_status: reactive[LinkStatus] = reactive(LinkStatus(Phase.CONNECTING), repaint=False)

    class Received(Message):
        """A message arrived from the hub."""

        def __init__(self, message: WireMessage) -> None:
            super().__init__()
            self.message = message
            """The decoded message."""

        def can_replace(self, message: Message) -> bool:
            # A newer state (or tally) makes an older one in the queue pointless.
            return (
                isinstance(message, HubApp.Received)
                and isinstance(self.message, (State, Tally, Turnout))
                and type(message.message) is type(self.message)
            )

    class StatusChanged(Message):
        """The connection changed: connecting, open, waiting to retry, stopped."""

        def __init__(self, status: LinkStatus) -> None:
            super().__init__()
            self.status = status
            """What the link reports."""

    def __init__(self, url: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.url = url
        self.view = SessionView()
        self._seq = itertools.count(1)
        self.link = Link(url, self.hello, self._post_received, self._post_status, headers=headers)

    def hello(self) -> Hello:
        """The hello this app sends on every (re)connection."""
        return Hello(resume=self.view.resume)

    def next_seq(self) -> int:
        return next(self._seq)

    @work(exclusive=True, group="link")
    async def connect(self) -> None:
        """Keep the connection to the hub (restart it to retry after a refusal)."""
        await self.link.run()

    def _post_received(self, message: WireMessage) -> None:
        self.post_message(self.Received(message))

    def _post_status(self, status: LinkStatus) -> None:
        self.post_message(self.StatusChanged(status))

    def on_hub_app_received(self, event: Received) -> None:
        self.view.apply(event.message)
        self.revision += 1

    def on_hub_app_status_changed(self, event: StatusChanged) -> None:
        self.link_status = event.status

    async def action_quit(self) -> None:
        await self.link.close()
        self.exit()


def describe_link(status: LinkStatus, url: str) -> str:
    """The connection's state in a few words, with its cue symbol."""
    match status.phase:
        case Phase.OPEN:
            return "● connected"
        case Phase.CONNECTING:
            return f"◌ connecting to {url}…" if status.attempt <= 1 else f"◌ reconnecting (try {status.attempt})…"
        case Phase.WAITING:
            return f"◌ {status.detail}; trying again in {status.delay:.0f} s"
        case Phase.STOPPED:
            return f"✖ {status.detail}"
    return ""


class HubScreen(Screen[None]):
    """A screen drawn from its app's view of the hub: it redraws when the view or the link changes."""

    @property
    def hub(self) -> HubApp:
        assert isinstance(self.app, HubApp)
        return self.app

    def _on_mount(self, event: events.Mount) -> None:
        self.watch(self.hub, "revision", self.redraw)
        self.watch(self.hub, "link_status", self.redraw)

    def redraw(self) -> None:
        """Bring the screen up to date with ``self.hub.view``."""
