"""Inputs a hostile or broken client might send, for fuzzing the decoder and the state machine.

Used by the test suite (briefly, through hypothesis) and by bench/fuzz.py (for
millions of inputs). Pure: it draws from the random source it is given.
"""

from __future__ import annotations

import random

from coproterm.core.client_messages import AddQuestion, Answer, Command, Hello, Mark, Moderate, Vote
from coproterm.core.hub_messages import Agreement, Timer, ToMark
from coproterm.core.session import Session
from coproterm.core.wire import encode
from coproterm.core.wire_terms import MAX_MARKS, MAX_TIMER, Action, AskKind, Stance
from coproterm.core.word_counts import count_words

VALID_KINDS = (
    "hello",
    "host",
    "vote",
    "clear",
    "command",
    "answer",
    "unanswer",
    "moderate",
    "approve",
    "moderation",
    "ask",
    "timer",
    "hub timer",
    "agree",
    "mark",
    "hub to mark",
)
AGREE_ACTIONS = (Action.AGREE, Action.END_AGREE)
TIMER_ACTIONS = (Action.TIMER, Action.TIMER_ONLY, Action.STOP_TIMER)
MODERATION_ACTIONS = (Action.MODERATE, Action.UNMODERATE)
OPTIONS = ((), ("Ie", "Na"), ("a", "A"), ("one",), tuple("abcdefghi"), ("x" * 61, "y"), ("\x1b[2J", "\u202e ok"))
BOARDS = ((), ("spectrum",), ("spectrum", "complexity"), ("nowhere",), ("a", "b"))
TEXTS = ("Rhannu grym", "ŵ ŷ â ê î ô û", "=HYPERLINK(1)", "\x1b[2J\u202e power", "", " ", "x" * 201, "<b>power</b>")


def valid_frame(rng: random.Random, questions: int = 6, cells: int = 24, current: int | None = None) -> bytes:
    """A well-formed frame, its fields sometimes in range and sometimes not (often aimed at ``current``)."""
    kind = rng.choice(VALID_KINDS)
    question = current if current is not None and rng.random() < 0.7 else rng.randrange(questions + 2)
    if kind == "hello":
        return encode(Hello(name=rng.choice([None, "Ann", "\x1b[2J", "x" * 100]), resume=rng.choice([None, bytes(16)])))
    if kind == "host":
        return encode(Hello(host_token=rng.choice(["host-token", "guess", ""])))
    if kind == "vote":
        return encode(
            Vote(
                rng.randrange(2**32), question, rng.randrange(cells + 3) if rng.random() < 0.3 else rng.randrange(cells)
            )
        )
    if kind == "clear":
        return encode(Vote(rng.randrange(100), question, None))
    if kind == "answer":
        return encode(Answer(rng.randrange(100), question, rng.randrange(4), rng.choice(TEXTS)))
    if kind == "unanswer":
        return encode(Answer(rng.randrange(100), question, rng.randrange(4), None))
    if kind == "moderate":
        return encode(Moderate(rng.randrange(100), question, rng.randrange(12), rng.random() < 0.5))
    if kind == "approve":  # one answer, or every waiting one (answer 0)
        answer = 0 if rng.random() < 0.3 else rng.randrange(12)
        return encode(Moderate(rng.randrange(100), question, answer, rng.random() < 0.2, approve=True))
    if kind == "moderation":  # moderation on or off, on a question that may take no written answers
        return encode(Command(rng.randrange(100), rng.choice(MODERATION_ACTIONS), question))
    if kind == "timer":
        seconds = rng.choice([0, 1, 2, 60, MAX_TIMER, MAX_TIMER + 1, rng.randrange(0x10000)])
        return encode(Command(rng.randrange(100), rng.choice(TIMER_ACTIONS), question, seconds))
    if kind == "hub timer":  # only a hub sends it: a client that does is refused
        return encode(
            Timer(question, rng.randrange(MAX_TIMER + 1), rng.randrange(MAX_TIMER * 1000), rng.random() < 0.5)
        )
    if kind == "agree":
        return encode(Command(rng.randrange(100), rng.choice(AGREE_ACTIONS), question))
    if kind == "mark":
        # one to a few answers at once; now and then none, or one answer twice (malformed: refused as such)
        answers = rng.sample(range(14), rng.choice([0, 1, 1, 2, 3, MAX_MARKS]))
        if answers and rng.random() < 0.1:
            answers.append(answers[0])
        return encode(Mark(rng.randrange(100), question, tuple((a, rng.choice(list(Stance))) for a in answers)))
    if kind == "hub to mark":  # only a hub sends these: a client that does is refused
        if rng.random() < 0.5:
            items = tuple((rng.randrange(14), rng.choice(TEXTS)) for _ in range(rng.randrange(MAX_MARKS + 1)))
            return encode(ToMark(question, rng.random() < 0.5, items if rng.random() < 0.8 else None, rng.randrange(9)))
        return encode(Agreement(question, True, rng.randrange(9), rng.randrange(9), ((1, 2, 3, 4),), ()))
    if kind == "ask":
        return encode(
            AddQuestion(
                rng.randrange(100),
                rng.choice(list(AskKind)),
                rng.choice(TEXTS),
                rng.choice([None, *TEXTS]),
                rng.choice(OPTIONS) if rng.random() < 0.5 else (),
                rng.choice(OPTIONS) if rng.random() < 0.2 else (),
                rng.choice(BOARDS) if rng.random() < 0.5 else (),
                rng.random() < 0.5,
            )
        )
    return encode(Command(rng.randrange(100), rng.choice(list(Action)), question))


def mutate(rng: random.Random, frame: bytes) -> bytes:
    """A frame damaged the way networks and bugs damage them."""
    data = bytearray(frame)
    for _ in range(rng.randint(1, 3)):
        action = rng.randrange(5)
        if action == 0 and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif action == 1 and data:
            del data[rng.randrange(len(data)) :]
        elif action == 2:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        elif action == 3 and data:
            data[rng.randrange(len(data))] = rng.choice([0xC1, 0xD4, 0xC7, 0xDD, 0xDF, 0xCF, 0xC0, 0xC3])
        else:
            data += bytes(rng.randrange(256) for _ in range(rng.randrange(8)))
    return bytes(data)


def frame(rng: random.Random, *, current: int | None = None, cells: int = 24) -> bytes:
    """One input: mostly valid, often damaged, sometimes pure noise."""
    roll = rng.random()
    if roll < 0.45:
        return valid_frame(rng, cells=cells, current=current)
    if roll < 0.9:
        return mutate(rng, valid_frame(rng, cells=cells, current=current))
    return bytes(rng.randrange(256) for _ in range(rng.randrange(40)))


def tallies_match_votes(session: Session) -> bool:
    """Whether every question's tally equals a recount of the participants' votes."""
    for index, status in enumerate(session.questions):
        recount = [0] * len(status.counts)
        cells_of = session.deck.questions[index].chosen  # one cell, or each position of a pick-several mask
        for member in session.participants.values():
            if index in member.votes:
                for cell in cells_of(member.votes[index]):
                    recount[cell] += 1
        if status.counts != recount:
            return False
    return True


def answers_consistent(session: Session) -> bool:
    """Whether every question's word counts equal a recount of its visible answers, and its counts hold.

    An answer waiting for approval is never on the wall, and the queue's count is a recount of it.
    """
    for book in session.answers:
        visible = [a for a in book.answers.values() if a.visible]
        if book.words.top(len(book.words)) != count_words(a.text for a in visible):
            return False
        if book.visible != len(visible) or book.live != sum(not a.removed for a in book.answers.values()):
            return False
        if book.queued != sum(a.queued for a in book.answers.values()):
            return False
        shown = {i for i, _, _ in book.wall().answers}
        if any(book.answers[i].waiting for i in shown):
            return False
    return True


def timer_consistent(session: Session, at: float) -> bool:
    """The countdown is one the rules allow, and one whose time has passed has ended (the clock was told)."""
    timer = session.timer
    if timer is None:
        return True
    if not 0 <= timer.question < len(session.questions) or not 0 <= timer.seconds <= MAX_TIMER:
        return False
    due = session.timer_due()
    return due is None or due > at


def agreement_consistent(session: Session) -> bool:
    """Every agreement round's counts equal a recount of its marks, nobody marked their own answer, and
    each participant's next answer to mark is one the room may see, not their own and not yet marked."""
    numbers = [member.number for member in session.participants.values()]
    for index, round_ in session.rounds.items():
        book = session.answers[index]
        recount: dict[int, list[int]] = {}
        for participant, marks in round_.stances.items():
            for answer, stance in marks.items():
                recount.setdefault(answer, [0, 0, 0])[stance] += 1
                written = book.answers.get(answer)
                if written is not None and written.participant == participant:
                    return False
        if {a: c for a, c in round_.counts.items() if any(c)} != recount:
            return False
        if round_.total != sum(sum(c) for c in recount.values()):
            return False
        for number in numbers:
            offered, left = round_.next_for(number, book)
            if len(offered) > MAX_MARKS or len(offered) > left or (left and not offered):
                return False
            for shown in offered:
                if not shown.visible or shown.participant == number or shown.id in round_.stances.get(number, {}):
                    return False
    return True
