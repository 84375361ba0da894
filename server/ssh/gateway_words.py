"""The SSH gateway's own words, in the catalog (N_) and said in the person's language (LANG / LC_* or their
choice); the passcode's are said in both, Welsh first, before the language is known."""

from __future__ import annotations

from coproterm.core.i18n import N_, WELSH, language

HAS_PASSCODE = N_("This session has a passcode.")
PASSCODE_PROMPT = N_("Session passcode")
LOCKED_OUT = N_("too many wrong passcodes; try later")
REFUSAL = N_("coproterm: this server only runs the voting app. Connect with: ssh -p {port} {host}\r\n")
TOO_MANY_NEWCOMERS = N_("coproterm: too many new participants from your address: try again in a minute.\r\n")
TOO_MANY_SESSIONS = N_("coproterm: too many sessions from your address: close one and try again.\r\n")
NEEDS_TERMINAL = N_("coproterm: the voting app needs a terminal: leave out -T.\r\n")
ENDED = N_("coproterm: the session has ended; thank you.")
LEFT = N_("coproterm: you have left the session; your votes are kept. Thank you.")
REPLACED = N_("coproterm: you joined again from another window; this one is closed.")
TOO_MANY_CODES = N_("coproterm: too many wrong join codes; ask the facilitator for the code and try again later.")
TOO_SLOW = N_("coproterm: your connection stopped taking the screen; connect again to come back.")
FAILED = N_("coproterm: the app stopped unexpectedly; connect again to come back (your votes are kept).")
TO_PLAIN = N_("Plain mode: from here on, lines only.")
SAME_NAME = N_(
    "coproterm: someone is in the session already under this name from your address: you join as a new"
    " participant, with a vote of your own. Another name (ssh NAME@...) tells you apart."
)
HUB_GONE = N_("coproterm: the hub stopped unexpectedly; connect again in a minute to come back (your votes are kept).")


def both(message: str, join: str = " / ") -> str:
    """A message in Welsh and in English, Welsh first: said before the person's language is known
    (the passcode is asked before the terminal's LANG reaches the gateway)."""
    return f"{language(WELSH).t(message)}{join}{message}"
