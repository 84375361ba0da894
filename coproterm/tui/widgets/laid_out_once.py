"""Widgets laid out in one pass.

When a layout pass gives a Textual widget a new size, the widget sets its
``virtual_size`` (its content's extent) as a reactive that asks for the whole
screen to be laid out and drawn again: a second pass, finding the same
arrangement, repainting every resized part and sending it again. On the vote
screen every new question resizes the board, its help and the prompt, so every
question was laid out and drawn twice, for every SSH viewer.

The pass that found the new size has already arranged the screen by it, and a
scrolling column updates its scrollbar from it in that same pass (Textual's own
scrolling views set it the same way). :class:`LaidOutOnce` takes the new size
without asking for another pass. A scrollbar appearing still asks for one (it
must be placed): the vote screen's scrolling body always has its scrollbar, a
blank column while everything fits (``vote_screen.tcss``).
"""

from __future__ import annotations

from coproterm.tui.textual_private import SizedInOnePass


class LaidOutOnce(SizedInOnePass):
    """A widget whose new size, found by a layout pass, does not ask for a second pass.

    Put it last in a widget's bases (``class QuietStatic(Static, SharedLines, LaidOutOnce)``): Textual's
    stylesheet knows a widget by its first base's line.
    """
