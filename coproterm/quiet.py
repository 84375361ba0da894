"""Third-party warnings stay off a person's terminal (the projector's, a participant's, an SSH worker's log).

asyncssh still names DSA keys, and each of its modules that does makes today's
``cryptography`` warn that DSA is deprecated: some fifteen lines after the
dashboard closes, thirty before `serve` says anything. They are for the
libraries' authors, not for a facilitator. Known ones are filtered here, by
category and by the module that triggers them, where each program starts; a
person who asks for warnings (``python -W``, ``PYTHONWARNINGS``) still gets them,
and the test run still lists them in its summary.
"""

from __future__ import annotations

import sys
import warnings

THIRD_PARTY = r"(asyncssh|cryptography|zeroconf|ifaddr|websockets|textual|rich|segno|msgpack|platformdirs)(\..*)?$"
"""The libraries whose warnings are about themselves."""


def quiet_known_warnings(*, ssh: bool = True) -> None:
    """Filter the libraries' deprecation warnings, unless warnings were asked for.

    ``ssh=False``: a program that never loads asyncssh (a participant's `join`) does not import
    ``cryptography`` to name its warning (a few milliseconds of the first paint)."""
    if sys.warnoptions:
        return
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=THIRD_PARTY)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module=THIRD_PARTY)
    if not ssh:
        return
    try:
        from cryptography.utils import CryptographyDeprecationWarning
    except ImportError:  # no cryptography: no SSH, and nothing of its to say
        return
    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning, module=THIRD_PARTY)
