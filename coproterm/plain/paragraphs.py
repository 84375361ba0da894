"""What plain mode says: a question once, its results, a person's own vote, the help.

Each function returns paragraphs (each wrapped to the width later), in the person's
language; the deck's own words come from the view, already in that language.
"""

from __future__ import annotations

from coproterm.core.boards import Kind, Question, Scale
from coproterm.core.i18n import N_, Language
from coproterm.core.view import SessionView

Paragraph = tuple[str, str]
"""A paragraph's text, and the indent of its wrapped lines after the first."""

COMMANDS = (
    (N_("help"), N_("these words")),
    (N_("again"), N_("the question again")),
    (N_("details"), N_("the question's points, where it has some")),
    (N_("results"), N_("the results, once the facilitator shows them")),
    (N_("mine"), N_("your own vote or answers")),
    (
        N_("keep"),
        N_(
            "your own record of the whole workshop, to copy and keep: every question, your answers, the room's results where shown"
        ),
    ),
    (N_("language"), N_("Cymraeg or English (iaith)")),
    (N_("quit"), N_("leave; your votes are kept")),
    (N_("edit"), N_("edit 2 and new words: change your answer 2 to an open question")),
    (N_("remove"), N_("remove 2: take your answer 2 back")),
    (N_("agree"), N_("agree with the answer shown to mark, when answers are open for agreement")),
    (N_("disagree"), N_("disagree with the answer shown to mark")),
    (N_("pass"), N_("pass on the answer shown to mark")),
)
"""The command words, each with what it does: typed in English, or in the person's language."""
TO_MARK = N_("To mark ({left}): {text}. Type agree, disagree or pass.")
MODERATED = N_("Answers are shown after the facilitator approves them.")
"""Said of a moderated question before anything is written (and when the facilitator turns it on)."""
UNMODERATED = N_("Answers are now shown without waiting for the facilitator's approval.")
"""Said when the facilitator turns moderation off on the question."""
ALL_MARKED = N_("You have marked every answer so far. New answers will be said here.")
AGREEMENT_CLOSED = N_("The facilitator has closed agreement on this question.")
NOTHING_TO_MARK = N_("There is no answer to mark now.")


def marking_line(view: SessionView, lang: Language) -> str | None:
    """The agreement round on the current question, in one line (None: no round on it)."""
    to_mark = view.current_to_mark
    if to_mark is None:
        return None
    if not to_mark.open:
        return lang.t(AGREEMENT_CLOSED)
    if not to_mark.answer:
        return lang.t(ALL_MARKED)
    left = lang.tn("{count} answer left", "{count} answers left", to_mark.left)
    return lang.t(TO_MARK, left=left, text="“" + to_mark.text + "”")


ON_THEIR_WAY = N_("The results are on their way.")
"""Said when results are asked for between the reveal and their arrival (they are said when they come)."""


def choice_words(question: Question, choice: int) -> str:
    """A vote in words: a position, a grid's two positions, or a pick-several vote's positions."""
    if question.kind is Kind.GRID:
        x, y = question.coordinates(choice)
        assert question.x is not None and question.y is not None
        return f"{question.x.positions[x].label}, {question.y.positions[y].label}"
    return ", ".join(question.describe(cell) for cell in question.chosen(choice))


def _numbered(scale: Scale) -> list[Paragraph]:
    lines = []
    for index, position in enumerate(scale.positions):
        group = scale.group_of(index)
        text = f"{index + 1}. {position.label}"
        if group is not None:
            text += f" ({group.label})"
        lines.append((text, "   "))
    return lines


def question_block(view: SessionView, lang: Language) -> list[Paragraph]:
    """The current question, as printed once when it comes: section, number, prompt, note, choices."""
    t = lang.t
    question, state, deck = view.question, view.state, view.deck
    assert question is not None and state is not None and deck is not None
    lines: list[Paragraph] = [("", "")]
    if question.section:
        lines.append((t("Section: {section}", section=question.section), ""))
    lines.append(
        (
            t(
                "Question {number} of {count}: {prompt}",
                number=state.current + 1,
                count=len(deck.questions),
                prompt=question.prompt,
            ),
            "",
        )
    )
    if question.note:
        lines.append((question.note, ""))
    if question.details:  # as the full app's d key: there when wanted, not read out with every question
        lines.append(
            (
                lang.tn(
                    "This question has {count} point: type details to hear it.",
                    "This question has {count} points: type details to hear them.",
                    len(question.details),
                ),
                "",
            )
        )
    if question.compare is not None:
        before = view.my_vote(question.compare)
        if before is not None:
            lines.append((t("Before, you chose: {choice}.", choice=choice_words(question, before)), ""))
    match question.kind:
        case Kind.SCALE:
            assert question.x is not None
            if question.x.title not in question.note:  # a note often starts with the scale's name already
                lines.append((question.x.title, ""))
            lines.extend(_numbered(question.x))
            if question.several:
                lines.append(
                    (t("Type up to {pick} numbers, such as 1 3; 0 takes your vote back.", pick=question.pick), "")
                )
            else:
                lines.append((t("Type the number of your choice; 0 takes your vote back."), ""))
        case Kind.GRID:
            assert question.x is not None and question.y is not None
            lines.append((t("Across: {scale}", scale=question.x.title), ""))
            lines.extend(_numbered(question.x))
            lines.append((t("Down: {scale}", scale=question.y.title), ""))
            lines.extend(_numbered(question.y))
            lines.append((t("Type two numbers, across then down, such as 4 2; 0 takes your vote back."), ""))
        case Kind.TEXT:
            assert question.answers is not None
            lines.append(
                (
                    lang.tn(
                        "Type an answer and press Enter (at most {count} answer, {length} characters).",
                        "Type an answer and press Enter (at most {count} answers, {length} characters each).",
                        question.answers.max_answers,
                        length=question.answers.max_length,
                    ),
                    "",
                )
            )
            if view.state is not None and view.state.moderated:
                lines.append((t(MODERATED), ""))  # before anything is written
        case Kind.DISCUSSION:
            lines.append((t("Nothing to vote on: talk it through in the room."), ""))
    lines.extend(status_lines(view, lang))
    return lines


def status_lines(view: SessionView, lang: Language) -> list[Paragraph]:
    """Where the person stands on the current question: locked, shown, their vote."""
    t = lang.t
    question, state = view.question, view.state
    assert question is not None and state is not None
    lines: list[Paragraph] = []
    if question.kind is not Kind.DISCUSSION and not state.open:
        lines.append((t("Voting is locked."), ""))
    if state.revealed and question.kind is not Kind.DISCUSSION:
        lines.append((t("Results are shown: type results."), ""))
    mine = mine_lines(view, lang, quiet=True)
    return lines + mine


def mine_lines(view: SessionView, lang: Language, *, quiet: bool = False) -> list[Paragraph]:
    """The person's own vote or answers on the current question (``quiet``: nothing when they have none)."""
    t = lang.t
    question, state = view.question, view.state
    assert question is not None and state is not None
    if question.kind is Kind.TEXT:
        mine = view.written.mine.get(state.current, {})
        if not mine:
            return [] if quiet else [(t("You have not answered this question."), "")]
        held = view.written.mine_waiting.get(state.current, frozenset()) - view.written.mine_hidden.get(
            state.current, frozenset()
        )
        waits = " " + t("(waiting for the facilitator)")
        return [(t("Your answers:"), "")] + [
            (f"{slot + 1}. {text}{waits if slot in held else ''}", "   ") for slot, text in sorted(mine.items())
        ]
    if question.kind is Kind.DISCUSSION:
        return [] if quiet else [(t("Nothing to vote on: talk it through in the room."), "")]
    vote = view.my_vote()
    if vote is None:
        return [] if quiet else [(t("You have not voted on this question."), "")]
    lines = [(t("Your vote: {choice}.", choice=choice_words(question, vote)), "")]
    move = view.own_move()
    if move is not None:
        lines.append(
            (
                t(
                    "Before: {before}. Now: {after}.",
                    before=choice_words(question, move[0]),
                    after=choice_words(question, move[1]),
                ),
                "",
            )
        )
    return lines


def details_lines(view: SessionView, lang: Language) -> list[Paragraph]:
    """The current question's points (the full app's d key), or that it has none."""
    question = view.question
    assert question is not None
    if not question.details:
        return [(lang.t("This question has no points to read."), "")]
    return [(f"- {detail}", "  ") for detail in question.details]


def results_lines(view: SessionView, lang: Language) -> list[Paragraph]:
    """The room's results on the current question, once they are shown: counts, in the board's order."""
    t = lang.t
    question, state = view.question, view.state
    assert question is not None and state is not None
    if question.kind is Kind.DISCUSSION:
        return [(t("Nothing to vote on: talk it through in the room."), "")]
    if not state.revealed:
        return [(t("Results are not shown yet."), "")]
    if question.kind is Kind.TEXT:
        if view.written.wall_question != state.current:
            return [(t(ON_THEIR_WAY), "")]
        return _wall_lines(view, lang)
    tally = view.current_tally
    if tally is None:
        return [(t(ON_THEIR_WAY), "")]
    lines: list[Paragraph] = [(t("Results:"), "")]
    people = view.current_people
    if people is not None:
        lines.append((lang.tn("{count} person chose.", "{count} people chose.", people), ""))
    if question.kind is Kind.SCALE:
        lines.extend(
            (f"{cell + 1}. {question.describe(cell)}: {count}", "   ") for cell, count in enumerate(tally.counts)
        )
        return lines
    chosen = sorted(
        ((count, cell) for cell, count in enumerate(tally.counts) if count), key=lambda item: (-item[0], item[1])
    )
    if not chosen:
        return [(t("No votes yet."), "")]
    lines.extend((f"{choice_words(question, cell)}: {count}", "  ") for count, cell in chosen)
    return lines


def _wall_lines(view: SessionView, lang: Language) -> list[Paragraph]:
    t = lang.t
    answers = view.written.newest_first()
    if not answers:
        return [(t("No answers yet."), "")]
    lines: list[Paragraph] = [
        (lang.tn("{count} answer, newest first:", "{count} answers, newest first:", view.written.wall_total), "")
    ]
    lines.extend((f"- {text}", "  ") for _, text in answers[:20])
    if view.written.words:
        words = ", ".join(f"{word} ({count})" for word, count in view.written.words[:10])
        lines.append((t("Words used most: {words}", words=words), ""))
    return lines


def help_lines(lang: Language) -> list[Paragraph]:
    """The command words, in the person's language (the English words work too)."""
    t = lang.t
    lines: list[Paragraph] = [(t("Type a number to vote, or one of these words:"), "")]
    lines.extend((f"{t(word)}: {t(what)}", "  ") for word, what in COMMANDS)
    return lines
