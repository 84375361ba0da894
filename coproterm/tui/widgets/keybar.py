"""The keys that work now, on one line, for the participant's screen.

Textual's Footer is a widget per key, rebuilt whenever focus moves. Over SSH the
hub runs an app per viewer, so that rebuild (and the extra widgets in every
layout) was paid once per person in the room: about 40% of the hub's CPU for a
question change (bench/ssh_sessions.py). :class:`KeyBar` draws the same line as
text and redraws only when the keys it shows change; a click on a key presses it.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen

from coproterm.core.i18n import N_, Language
from coproterm.tui.widgets.laid_out_once import LaidOutOnce
from coproterm.tui.widgets.shared import SharedLines

_Key = tuple[str, str, str]  # (key, how it is shown, what it does)

PALETTE_WORD = N_("palette")
"""Textual's own description of the command palette's key, put in the catalog so the bar is Welsh throughout."""


class KeyBar(SharedLines, LaidOutOnce):
    """A footer drawn as one line of text."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .keybar--rule {
        color: $foreground 20%;
    }
    """
    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--rule"}

    def __init__(self, first: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.first = first
        """Actions shown before the others when they work (a narrow bar keeps its first keys)."""
        self._keys: tuple[_Key, ...] = ()
        self._palette: _Key | None = None
        self._hits: list[tuple[int, int, str]] = []
        self._reading = False

    @property
    def shown(self) -> tuple[str, ...]:
        """What the keys shown do, in order (the command palette last)."""
        return tuple(description for _, _, description in (*self._keys, *filter(None, [self._palette])))

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._read_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        """The keys may have changed: read them once the burst is over (a question change moves the
        focus several times, and each reading walks the screen's bindings, for every SSH viewer)."""
        if not self._reading:
            self._reading = True
            self.call_later(self._read_keys)

    def _read_keys(self) -> None:
        self._reading = False
        screen = self.screen
        keys: list[_Key] = []
        palette, actions = None, set()
        leading: list[tuple[int, _Key]] = []
        language: _Key | None = None
        for node, binding, enabled, _tooltip in screen.active_bindings.values():
            offers = getattr(node, "offers", None)
            if callable(offers) and not offers(binding.action):
                continue  # it would do nothing now (a vote on a locked question): not suggested
            shown = (binding.key, self.app.get_key_display(binding), self._words(binding.description))
            if binding.key == self.app.COMMAND_PALETTE_BINDING and self.app.ENABLE_COMMAND_PALETTE:
                palette = shown
            elif binding.action == "app.language" and binding.show and enabled:
                language = shown
            elif binding.show and enabled and binding.action not in actions:  # backspace,delete: one entry
                actions.add(binding.action)
                if binding.action in self.first:
                    leading.append((self.first.index(binding.action), shown))
                else:
                    keys.append(shown)
        keys[:0] = [shown for _, shown in sorted(leading)]
        if language is not None:
            # "Cymraeg / English" is always in sight at the right edge; the palette's key gives way like any other.
            if palette is not None:
                keys.append(palette)
            palette = language
        if (tuple(keys), palette) != (self._keys, self._palette):
            self._keys, self._palette = tuple(keys), palette
            self.refresh()

    def _words(self, description: str) -> str:
        """A key's description in the app's language (bindings hold the English)."""
        lang = getattr(self.app, "lang", None)
        return lang.t(description) if isinstance(lang, Language) and description else description

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        description_style = self.get_component_rich_style("keybar--description")
        line = Text(no_wrap=True, overflow="crop")
        self._hits = []
        entries = [
            (key, Text.assemble((f" {display} ", key_style), (f"{description} ", description_style)))
            for key, display, description in self._keys
        ]
        room = self.size.width - (0 if self._palette is None else len(self._palette[1]) + len(self._palette[2]) + 3)
        if self.size.width and sum(entry.cell_len for _, entry in entries) > room:
            # A key's words are never cut mid-way (Welsh ones are longer): the keys that do
            # not fit give way whole, and an ellipsis says some are missing.
            room -= 2
            fitting: list[tuple[str, Text]] = []
            for key, entry in entries:
                if sum(e.cell_len for _, e in fitting) + entry.cell_len > room:
                    break
                fitting.append((key, entry))
            entries = [*fitting, ("", Text(" …", description_style))]
        for key, entry in entries:
            start = line.cell_len
            line.append_text(entry)
            if key:
                self._hits.append((start, line.cell_len, key))
        if self._palette is not None:  # kept at the right edge; the keys give way on a narrow screen
            key, display, description = self._palette
            tail = Text.assemble(
                ("▏", self.get_component_rich_style("keybar--rule")),
                (display, key_style),
                (f" {description} ", description_style),
            )
            room = max(0, self.size.width - tail.cell_len)
            line.truncate(room, pad=True)
            self._hits = [(start, min(end, room), k) for start, end, k in self._hits if start < room]
            self._hits.append((room, room + tail.cell_len, key))
            line.append_text(tail)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._hits:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
