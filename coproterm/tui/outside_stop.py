"""A face stopped from outside and continued comes back whole, with one reader of the keyboard.

Textual's Linux driver re-enters application mode on SIGCONT so that a Ctrl+Z
and ``fg`` work. A process stopped by something else (SIGSTOP, as a stalled
laptop's is, or a debugger) gets the same SIGCONT with no suspend before it, and
the driver then starts a second keyboard thread beside the first: both wait on
the terminal, one reads a key while the other blocks on an empty read for ever,
and quitting hangs joining it. Here an outside stop is treated as a suspend
first, so there is only ever one reader (Textual is pinned to a minor version
for its driver's internals).
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from textual.app import App

from coproterm.tui.textual_private import continue_application, driver_of, owe_resume, resume_owed


def continue_cleanly(app: App[Any]) -> None:
    """On SIGCONT, suspend application mode first unless it already was (a Ctrl+Z), then resume it."""
    from textual.drivers.linux_driver import LinuxDriver

    if sys.platform == "win32":
        return  # no SIGCONT (and Textual's Windows driver)
    driver = driver_of(app)
    if not isinstance(driver, LinuxDriver):
        return  # headless, or an SSH channel's driver: no terminal of the process's own

    def continued(*_: object) -> None:
        if not resume_owed(driver):  # stopped from outside: the keyboard thread still runs
            driver.suspend_application_mode()
            owe_resume(driver)  # and tell the app it was resumed, as after a Ctrl+Z
        continue_application(driver)

    signal.signal(signal.SIGCONT, continued)
