"""The phone page's words: catalog messages, sent to the page in both languages when the hub starts.

The page has no word table of its own: :func:`page_words` gives it every message here, and
every refusal's (``coproterm.core.refusals``), in English and in Cymraeg from the same gettext
catalog as the terminal faces, with ``{named}`` placeholders the page fills, and a count's
message as the language's plural forms (Welsh has six) that the page picks from with the
catalog's own rule (:data:`PLURAL_RULES`, which tests/test_web_words.py checks against it).
"""

from __future__ import annotations

import json
from typing import Final

from coproterm.core.alerts import UNKNOWN as UNKNOWN_ALERT
from coproterm.core.alerts import WORDS as ALERT_WORDS
from coproterm.core.i18n import ENGLISH, LANGUAGES, N_, WELSH, Nn_, language, plural_form
from coproterm.core.refusals import UNKNOWN, WORDS
from coproterm.core.wire_terms import PROTOCOL_VERSION

PAGE_WORDS: Final[dict[str, str | tuple[str, str]]] = {
    "intro": N_("Join the workshop's live vote from this phone."),
    "code": N_("Join code"),
    "codeHint": N_("The code the facilitator shows (it is filled in when you scan the QR code)."),
    "name": N_("Your name (optional)"),
    "nameHint": N_("Other participants never see it; it is kept with your votes for the facilitator's results."),
    "join": N_("Join"),
    "joining": N_("Joining…"),
    "connected": N_("Connected"),
    "reconnecting": N_("Connection lost: trying again…"),
    "offline": N_("Not connected"),
    "question": N_("Question {number} of {count}"),
    "discussion": N_("Talk it through with the room; nothing to vote on for this one."),
    "counted": N_("✔ Your vote is counted: {choice}"),
    "lockedCounted": N_("■ Voting is locked. Your vote is counted: {choice}"),
    "lockedNone": N_("■ Voting is locked; you did not vote on this one."),
    "choose": N_("Tap your choice. You can change it until voting is locked."),
    "chooseSeveral": Nn_(
        "Tap up to {count} choice. You can change it until voting is locked.",
        "Tap up to {count} choices. You can change them until voting is locked.",
    ),
    "tooMany": N_("You can choose {count} at most: tap one of yours to take it off first."),
    "write": Nn_(
        "Write up to {count} short answer. You can change it until the question is locked.",
        "Write up to {count} short answers. You can change them until the question is locked.",
    ),
    "answersIn": Nn_(
        "✔ Your answer is in ({count}). Write another, change or take back any until the question is locked.",
        "✔ Your {count} answers are in. Write another, change or take back any until the question is locked.",
    ),
    "lockedAnswers": N_("■ The question is locked: no more answers."),
    "yourAnswer": N_("Your answer {number}"),
    "answerHint": N_("At most {count} characters."),
    "send": N_("Send"),
    "takeBack": N_("Take back"),
    "sayAnswer": N_("answer sent"),
    "sayTaken": N_("answer taken back"),
    "sayWaiting": N_("your answer {number} is waiting for the facilitator"),
    "sayApproved": N_("the facilitator approved your answer {number}"),
    "moderated": N_("Answers are shown after the facilitator approves them."),
    "sayModerated": N_("answers are now shown after the facilitator approves them"),
    "sayUnmoderated": N_("answers are now shown without waiting for the facilitator's approval"),
    "wall": N_("The room's answers ({count})"),
    "words": N_("The words used most"),
    "used": N_("{word}: {count}"),
    "keep": N_("Keep my answers (a file for this phone)"),
    "keptTitle": N_("My answers: {title}"),
    "kept": N_("Kept {when}. Your own choices and answers; the room's results only where they were shown to you."),
    "you": N_("You:"),
    "notAnswered": N_("You did not answer."),
    "roomShown": N_("The room, as shown:"),
    "hiddenByFacilitator": N_("Hidden by the facilitator: the room does not see this answer."),
    "waitingForFacilitator": N_("Waiting for the facilitator: the room sees this answer once it is approved."),
    "yourMove": N_("Your move: "),
    "stayed": N_("you stayed where you were"),
    "towards": Nn_("{count} step towards ‘{where}’", "{count} steps towards ‘{where}’"),
    "awayFrom": Nn_("{count} step away from ‘{where}’", "{count} steps away from ‘{where}’"),
    "people": Nn_("{count} person voted", "{count} people voted"),
    "sending": N_("Sending your vote…"),
    "notSent": N_("not connected, so nothing was sent; try again once connected."),
    "notCounted": N_("✖ Not counted: {why}"),
    "cleared": N_("Your vote is cleared."),
    "reset": N_("The facilitator cleared the votes on this question: vote again if you like."),
    "clear": N_("Clear my vote"),
    "yourVote": N_("✓ your vote"),
    "example": N_("e.g. {example}"),
    "results": N_("Results"),
    "votes": Nn_("{count} vote ({percent}%)", "{count} votes ({percent}%)"),
    "noVotes": N_("No votes yet."),
    "across": N_("{rows} (down) by {columns} (across)"),
    "turned": N_("Place your work on both at once. On this phone: {rows} down, {columns} across."),
    "cell": N_("{x}, {y}"),
    "sayCounted": N_("vote counted"),
    "sayCleared": N_("vote cleared"),
    "sayLocked": N_("voting locked"),
    "sayOpen": N_("voting open"),
    "sayResults": N_("results shown"),
    "sayHidden": N_("results hidden"),
    "ended": N_("The session has ended; thank you for taking part."),
    "replaced": N_("You joined again from another window or device, so this page stopped."),
    "rejoin": N_("Use this page again"),
    "refused": N_("Not joined: {why}"),
    "closed": N_("the hub closed the connection ({code})"),
    "codeNeeded": N_("Type the join code the facilitator shows."),
    "timeLeft": N_("{mark} {time} left"),
    "timeUp": N_("{mark} time is up"),
    "sayTimerLocks": N_("Timer: {time} to go on this question; voting locks when it ends."),
    "sayTimerOnly": N_("Timer: {time} to go on this question."),
    "sayMinute": N_("One minute left."),
    "sayTen": N_("Ten seconds left."),
    "sayTimeUp": N_("Time is up."),
    "sayStopped": N_("The facilitator stopped the timer."),
    "agreeing": N_("Agreeing with each other"),
    "agreeHint": N_("The others' answers, one at a time, without their names. Do you agree?"),
    "answersLeft": Nn_("{count} answer left", "{count} answers left"),
    "agree": N_("Agree"),
    "disagree": N_("Disagree"),
    "pass": N_("Pass"),
    "allMarked": N_("You have marked every answer so far. New answers will appear here."),
    "agreeClosed": N_("The facilitator has closed agreement on this question."),
    "sayToMark": N_("Answer to mark: {text}"),
    "sayMarked": N_("marked"),
}
"""Every message the page shows, by the key page.js asks for."""

PAGE_TITLE: Final = N_("coproterm: join the vote")
PAGE_NOSCRIPT: Final = N_("This page needs JavaScript to join the vote; or join from a terminal with coproterm or ssh.")

PLURAL_RULES: Final = {
    ENGLISH: "n === 1 ? 0 : 1",
    WELSH: "n === 0 ? 0 : n === 1 ? 1 : n === 2 ? 2 : n === 3 ? 3 : n === 6 ? 4 : 5",
}
"""Each language's plural rule as a JavaScript expression of ``n``: the .po's ``Plural-Forms``."""

_SAMPLES: Final = range(0, 101)
"""Counts enough to meet every plural form of both languages (and to find a count for each)."""


def _forms(code: str, singular: str, plural: str) -> list[str]:
    """The plural forms of a message in a language, in the order its rule numbers them."""
    lang = language(code)
    found: dict[int, str] = {}
    for count in _SAMPLES:
        form = plural_form(code, count)
        if form not in found:
            found[form] = (
                (singular if count == 1 else plural)
                if code == ENGLISH
                else lang._welsh.ngettext(singular, plural, count)
            )
    return [found[form] for form in sorted(found)]


def words_script() -> str:
    """The script that gives the page its words (before page.js): both languages, their plural rules, and the
    protocol version its hello speaks (the hub's own, so the page and its hub never disagree)."""
    data = {code: page_words(code) for code in LANGUAGES}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    rules = ",".join(f"{code}:function(n){{return {rule};}}" for code, rule in sorted(PLURAL_RULES.items()))
    return f"var WORDS={text};\nvar PLURAL={{{rules}}};\nvar VERSION={PROTOCOL_VERSION};"


def page_words(code: str) -> dict[str, object]:
    """The page's messages in one language (``"cy"`` or ``"en"``): texts, plural forms, refusals."""
    if code not in LANGUAGES:
        raise ValueError(f"the page speaks {', '.join(LANGUAGES)}, not {code!r}")
    lang = language(code)
    words: dict[str, object] = {}
    for key, message in PAGE_WORDS.items():
        words[key] = _forms(code, *message) if isinstance(message, tuple) else lang.t(message)
    refusals = {int(refusal): [lang.t(text), list(names)] for refusal, (text, names) in WORDS.items()}
    alerts = {int(alert): [lang.t(text), list(names)] for alert, (text, names) in ALERT_WORDS.items()}
    return {
        "words": words,
        "refusals": refusals,
        "unknown": lang.t(UNKNOWN),
        "alerts": alerts,
        "unknownAlert": lang.t(UNKNOWN_ALERT),
        "title": lang.t(PAGE_TITLE),
    }
