"""`coproterm join`: the participant app, full screen or plain.

Apart from the hub's commands, so that joining loads only what a participant's screen needs.
"""

from __future__ import annotations

import argparse
import asyncio

from coproterm.commands import cli_language, fail


def join(args: argparse.Namespace) -> int:
    """The participant app."""
    from coproterm.client.link import AddressError, hub_url
    from coproterm.tui.participant.app import ParticipantApp

    url = None
    if args.address:
        try:
            url = hub_url(args.address)
        except AddressError as error:
            return fail(error.words(cli_language(args)))
    if getattr(args, "plain", False):
        from coproterm.plain.terminal import run

        try:
            return asyncio.run(run(args.address, args.name, args.code, args.lang, find=not args.no_mdns))
        except KeyboardInterrupt:
            return 0
    app = ParticipantApp(url, name=args.name, code=args.code, discover=not args.no_mdns, lang=args.lang)
    app.run()
    if app.wants_plain and app.url:  # p: the same participant goes on in plain mode, on this terminal
        from coproterm.plain.terminal import run

        try:
            return asyncio.run(run(app.url, app.display_name, app.code, app.lang.code, find=False))
        except KeyboardInterrupt:
            return 0
    return 0
