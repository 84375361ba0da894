"""`coproterm join`'s first paint does only what its first screen needs (issue 35).

The time itself is measured by ``python -m bench.first_paint`` and printed, never asserted here:
these tests hold the two causes of the work it saves, each against a real hub on 127.0.0.1:
the vote screen's stylesheet is parsed once for all its parts, and a start whose first
question has no board, chart or agreement round does not import them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from textual.app import App, ComposeResult
from textual.widgets import Static

from coproterm.tui.participant.app import LATER_PARTS, ParticipantApp
from coproterm.tui.widgets.answer_box import AnswerBox
from tests.facekit import until
from tests.hubkit import running_hub

QUESTION = "co-production mean to you"
"""The default deck's first question, a text question: the vote screen shows it with the answer box."""


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("minimal textual app ready")


def _counting_parses(app: App[None]) -> list[int]:
    """Every parse of ``app``'s stylesheet from now on, counted (the real parse runs)."""
    stylesheet = app.stylesheet
    parse = stylesheet.parse
    parses: list[int] = []

    def counted() -> None:
        parses.append(len(stylesheet.source))
        parse()

    stylesheet.parse = counted  # type: ignore[method-assign]
    return parses


async def test_the_vote_screen_parses_its_parts_css_once_before_its_first_layout() -> None:
    """Textual parses the stylesheet again each time a widget class with CSS of its own first mounts;
    the vote screen names its parts first, so its first question costs no more parses than a minimal app's
    one line (Textual's defaults, then everything the screen mounts; it was five with each part's own)."""
    minimal = Minimal()
    minimal_parses = _counting_parses(minimal)
    async with minimal.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "minimal textual app ready" in str(minimal.screen.query_one(Static).render()))
        await pilot.pause()
    async with running_hub() as hub:
        app = ParticipantApp(hub.url, "Ann")
        parses = _counting_parses(app)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: QUESTION in str(app.screen.query_one("#prompt").render()))
            await until(pilot, lambda: bool(app.screen.query(AnswerBox)))
            await pilot.pause()
            css_classes = {name for _, name in app.stylesheet.source}
            assert {"AnswerBox.DEFAULT_CSS", "OptionList.DEFAULT_CSS", "Input.DEFAULT_CSS"} <= css_classes
            assert len(parses) == len(minimal_parses), (parses, minimal_parses)


def test_join_leaves_the_parts_its_first_question_does_not_need_unloaded() -> None:
    """`coproterm join`'s command line is read, and a participant's app shows the default deck's first
    question (a text question), in a process of its own, which then says which of the later parts, and
    cryptography (asyncssh's, never join's), it had imported: none."""
    script = textwrap.dedent(
        f"""
        import asyncio, contextlib, io, json, sys
        from coproterm.cli import main

        with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
            main(["join", "--help"])  # the command line as `coproterm join` reads it, warnings' filters and all
        from tests.facekit import until
        from tests.hubkit import running_hub

        async def run():
            from coproterm.tui.participant.app import ParticipantApp
            async with running_hub() as hub:
                app = ParticipantApp(hub.url, "Ann")
                async with app.run_test(size=(80, 24)) as pilot:
                    await until(pilot, lambda: {QUESTION!r} in str(app.screen.query_one("#prompt").render()))
                    await pilot.pause()

        asyncio.run(run())
        watched = [f"coproterm.tui.widgets.{{name}}" for name in {LATER_PARTS!r}] + ["cryptography"]
        print(json.dumps([name for name in watched if name in sys.modules]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_an_ssh_worker_loads_every_part_before_its_first_screen() -> None:
    """The gateway's workers draw many screens: the parts `join` leaves for later are loaded with the SSH app."""
    script = textwrap.dedent(
        f"""
        import json, sys
        import coproterm.server.ssh.app
        print(json.dumps([name for name in {LATER_PARTS!r} if f"coproterm.tui.widgets.{{name}}" not in sys.modules]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
