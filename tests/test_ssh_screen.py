"""The SSH screen model sends only what changes, and the person's terminal ends up showing the same.

A terminal emulator (pyte) is the judge: the app's output played on one, what
the model sent played on another, and every cell (character, colours,
attributes) must match after every batch.
"""

from __future__ import annotations

import random

import pyte
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import get_character_cell_size

from coproterm.server.ssh.screen import SentScreen, _diffs, forget_diffs
from tests.sshkit import cells

W, H = 40, 8
PENS = ["", "1", "38;5;231;48;5;236", "7;38;5;16", "2;4", "48;5;24"]
WORDS = ["Value", "all", "participants", "▏", "─────", "●", "“", "e\u0301", "  ", "Co-production"]
"""Wide characters are tested on their own: pyte keeps half of one that is overwritten, where terminals blank it."""


def played(*batches: str) -> list[list[tuple[object, ...]]]:
    screen = pyte.Screen(W, H)
    stream = pyte.Stream(screen)
    for batch in batches:
        stream.feed(batch)
    return cells(screen)


def line(y: int, x: int, *runs: tuple[str, str]) -> str:
    """What Textual writes for part of a line: a cursor move, then each run with its codes and a reset."""
    return f"\x1b[{y + 1};{x + 1}H" + "".join(f"\x1b[{pen}m{text}\x1b[0m" if pen else text for pen, text in runs)


def full_frame(rows: list[str], pen: str = "38;5;231;48;5;236") -> str:
    return "".join(line(y, 0, (pen, text.ljust(W)[:W])) for y, text in enumerate(rows))


START = "\x1b[?1049h\x1b[?1000h\x1b[?1006h\x1b[?25l"


def test_the_terminal_shows_what_the_app_drew():
    model = SentScreen(W, H)
    first = START + full_frame(["Where does your work live?", "", "1 Coercion", "2 Educating"])
    second = full_frame(["Where does your work live now?", "", "1 Coercion", "2 Informing"])
    sent = [model.diff(first), model.diff(second)]
    assert played(*sent) == played(first, second)


def test_an_unchanged_redraw_sends_nothing():
    model = SentScreen(W, H)
    frame = full_frame(["Which value is strongest?", "5 values of co-production"])
    model.diff(START + frame)
    assert model.diff(frame) == ""


def test_a_changed_word_sends_that_word_and_not_the_line():
    model = SentScreen(W, H)
    model.diff(START + full_frame(["question 2 of 14  open", "Choose with the arrow keys"]))
    sent = model.diff(full_frame(["question 2 of 14  locked", "Choose with the arrow keys"]))
    assert "locked" in sent
    assert "question" not in sent and "Choose" not in sent
    assert len(sent) < 40, sent


def test_a_colour_change_alone_is_sent_as_one_code_per_run():
    model = SentScreen(W, H)
    model.diff(START + line(0, 0, ("1", "Results"), ("", " for this question")))
    sent = model.diff(line(0, 0, ("7;38;5;16", "Results"), ("", " for this question")))
    assert sent == "\x1b[1;1H\x1b[7;38;5;16mResults\x1b[0m", repr(sent)


def test_wide_characters_are_never_sent_by_halves():
    model = SentScreen(W, H)
    first = START + line(0, 0, ("", "ab漢字cd"))
    second = line(0, 0, ("", "ab漢子cd"))  # the second wide character changes
    sent = [model.diff(first), model.diff(second)]
    assert "子" in sent[1] and "漢" not in sent[1]
    assert played(*sent) == played(first, second)


def test_half_a_wide_character_overwritten_blanks_the_other_half():
    model = SentScreen(W, H)
    model.diff(START + line(0, 0, ("", "ab漢字cd")))
    sent = model.diff(line(0, 3, ("", "x")))  # over the right half of 漢
    assert sent == "\x1b[1;3H x", repr(sent)  # the left half goes blank, as in a terminal, then the x


def test_blanks_in_colour_are_erased_where_the_terminal_erases_in_colour():
    cleared = full_frame(["Where does your work live?", "", "", ""])
    before = START + full_frame(["Where does your work live?", "1 Coercion  2 Educating  3 Informing", "", ""])
    xterm, kitty = SentScreen(W, H, bce=True), SentScreen(W, H, bce=False)
    xterm.diff(before)
    kitty.diff(before)
    erased, written = xterm.diff(cleared), kitty.diff(cleared)
    assert erased == "\x1b[2;1H\x1b[38;5;231;48;5;236m\x1b[K\x1b[0m", repr(erased)
    assert "\x1b[K" not in written and "X" not in written, "without bce, blanks in colour are written"
    assert played(before, erased) == played(before, cleared) == played(before, written)


def test_only_what_changes_in_a_colour_is_sent():
    model = SentScreen(W, H)
    model.diff(START)
    sent = model.diff(line(0, 0, ("38;5;231;48;5;236", "Doing to"), ("38;5;16;48;5;236", "Doing for")))
    assert "\x1b[38;5;16m" in sent, repr(sent)  # the background stays: not sent again


def test_codes_the_model_does_not_read_are_sent_whole_and_their_blanks_written():
    model = SentScreen(W, H, bce=True)
    model.diff(START + line(0, 0, ("38;5;231;48;5;236", "Doing to")))
    odd = "38:2::255:0:0;48;5;236"  # colour in sub-parameters
    first = START + line(0, 0, ("38;5;231;48;5;236", "Doing to"))
    second = line(0, 0, (odd, "Doing to" + " " * 20))
    sent = model.diff(second)
    assert f"\x1b[0;{odd}m" in sent and "\x1b[K" not in sent and "X" not in sent, repr(sent)
    assert played(first, sent) == played(first, second)


def test_a_resized_window_is_drawn_again_whole():
    model = SentScreen(W, H)
    frame = full_frame(["the same words"])
    model.diff(START + frame)
    model.resize(W, H)
    assert "the same words" in model.diff(frame)


def test_what_the_model_cannot_follow_is_passed_on_and_the_next_frame_sent_whole():
    model = SentScreen(W, H)
    frame = full_frame(["kept"])
    model.diff(START + frame)
    sent = model.diff("\x1b[3L")  # insert lines: the model does not play it
    assert sent == "\x1b[3L"
    assert "kept" in model.diff(frame)


def test_modes_and_titles_pass_through_without_a_redraw():
    model = SentScreen(W, H)
    frame = full_frame(["kept"])
    model.diff(START + frame)
    assert model.diff("\x1b[?25h\x1b]0;coproterm\x07" + frame) == "\x1b[?25h\x1b]0;coproterm\x07"


def test_leaving_the_alternate_screen_goes_out_after_what_was_drawn_before_it():
    model = SentScreen(W, H)
    sent = model.diff(START + full_frame(["goodbye"]) + "\x1b[?1049l")
    assert sent.index("goodbye") < sent.index("\x1b[?1049l")


def fitted(runs: list[tuple[str, str]], room: int) -> list[tuple[str, str]]:
    """Runs cut to the cells left on the line, as Textual cuts them: it never writes past the edge."""
    kept = []
    for pen, text in runs:
        taken = ""
        for char in text:
            size = get_character_cell_size(char)
            # (A combining mark is kept off the last column: there pyte wraps and scrolls, where terminals do not.)
            if size > room or (size == 0 and room == 0):
                room = 0
                break
            taken, room = taken + char, room - size
        if taken:
            kept.append((pen, taken))
    return kept


@st.composite
def frames(draw: st.DrawFn) -> list[str]:
    """Batches as Textual writes them: runs of text with their codes, at cursor moves, sometimes whole screens."""
    batches = [START]
    for _ in range(draw(st.integers(1, 6))):
        parts = []
        for _ in range(draw(st.integers(1, 12))):
            y, x = draw(st.integers(0, H - 1)), draw(st.integers(0, W - 1))
            runs = [(draw(st.sampled_from(PENS)), draw(st.sampled_from(WORDS))) for _ in range(draw(st.integers(1, 4)))]
            parts.append(line(y, x, *fitted(runs, W - x)))
        if draw(st.booleans()):
            parts.insert(0, full_frame([draw(st.sampled_from(WORDS)) * 3 for _ in range(H)]))
        batches.append("".join(parts))
    return batches


@settings(max_examples=300, deadline=None)
@given(frames(), st.booleans())
def test_any_sequence_of_batches_leaves_the_screen_the_app_drew(batches: list[str], bce: bool):
    model = SentScreen(W, H, bce=bce)
    shown = pyte.Screen(W, H)
    expected = pyte.Screen(W, H)
    shown_stream, expected_stream = pyte.Stream(shown), pyte.Stream(expected)
    for batch in batches:
        shown_stream.feed(model.diff(batch))
        expected_stream.feed(batch)
        assert cells(shown) == cells(expected)


def test_a_workshop_of_redraws_costs_a_fraction_of_the_bytes():
    """Random question-like screens, each mostly the chrome of the last: far fewer bytes, the same screen."""
    rng = random.Random(4)
    model = SentScreen(W, H)
    raw = sent = 0
    batches = []
    for n in range(30):
        rows = [f"question {n} of 30", "", *(rng.choice(WORDS) * 2 for _ in range(H - 4)), "", "q leave  i Cymraeg"]
        batches.append((START if n == 0 else "") + full_frame(rows))
    shown = [model.diff(batch) for batch in batches]
    raw, sent = sum(map(len, batches)), sum(map(len, shown))
    assert sent < raw / 2, (sent, raw)
    assert played(*shown) == played(*batches)


def unremembered(screen: SentScreen, batch: str) -> str:
    """What ``screen`` is sent for ``batch`` played onto it, nothing looked up."""
    kept = {key: _diffs[key] for key in list(_diffs.keys())}
    forget_diffs()
    try:
        return screen.diff(batch)
    finally:
        _diffs.clear()
        for key, value in kept.items():
            _diffs.set(key, value)


@settings(max_examples=150, deadline=None)
@given(frames(), frames(), st.booleans())
def test_a_remembered_batch_answers_only_a_screen_in_the_same_state(ours, theirs, bce):
    """An SSH worker's screens showing the same are answered from one playing of a batch; a screen
    showing something else is played: every screen is sent what playing the batch onto it sends."""
    forget_diffs()
    first, second, other = (SentScreen(W, H, bce=bce) for _ in range(3))
    first_alone, other_alone = SentScreen(W, H, bce=bce), SentScreen(W, H, bce=bce)
    for batch in theirs:  # the other screen shows something else first
        assert other.diff(batch) == unremembered(other_alone, batch)
    for batch in ours:
        sent = first.diff(batch)
        assert second.diff(batch) == sent == unremembered(first_alone, batch)
        assert other.diff(batch) == unremembered(other_alone, batch)
    assert first._chars == second._chars == first_alone._chars and first._pens == second._pens == first_alone._pens
    assert other._chars == other_alone._chars and other._pens == other_alone._pens


def test_a_screen_that_moved_on_is_sent_what_changes_on_it():
    forget_diffs()
    start = START + full_frame(["Where does your work live?", "", "1 Coercion"])
    moved = line(1, 0, ("1", "3 Informing"))  # a line this screen alone shows, cleared by the batch
    still, moved_on = SentScreen(W, H), SentScreen(W, H)
    still.diff(start)
    moved_on.diff(start)
    moved_on.diff(moved)
    batch = full_frame(["Where does your work live?", "", "2 Educating"])
    to_still, to_moved_on = still.diff(batch), moved_on.diff(batch)
    assert to_still != to_moved_on
    assert played(start, to_still) == played(start, batch)
    assert played(start, moved, to_moved_on) == played(start, moved, batch)


def test_screens_that_came_to_show_the_same_by_different_batches_are_in_one_state():
    """Sends are split by their timing: one screen gets a question's frame and its repaint in one
    batch, another in two. Showing the same, they are answered alike from then on."""
    forget_diffs()
    frame = START + full_frame(["Where does your work live?", "", "1 Coercion"])
    repaint = line(2, 0, ("1", "1 Coercion"))
    together, apart = SentScreen(W, H), SentScreen(W, H)
    together.diff(frame + repaint)
    apart.diff(frame)
    apart.diff(repaint)
    assert together._state == apart._state
    sent_together = together.diff(full_frame(["Is your work simple?", "", "1 Simple"]))
    played_before = len(_diffs)
    assert apart.diff(full_frame(["Is your work simple?", "", "1 Simple"])) == sent_together
    assert len(_diffs) == played_before, "answered from what the other screen was sent, not played"
