"""Plain mode: the participant app as lines that are only ever appended.

For screen readers, braille displays and terminals that cannot address the cursor
(TERM=dumb, Emacs' shell, a serial console). It speaks the same protocol through the
same client (:mod:`coproterm.client.link`, :class:`~coproterm.core.view.SessionView`)
as the Textual app, and draws nothing in Textual: each question is printed once, every
change the room would see is announced in one short line, and the person types numbers,
an answer, or a command word. ``coproterm join --plain`` runs it on a local terminal;
the SSH gateway runs it on a channel for TERM=dumb or a user name ending in ``+plain``.
"""
