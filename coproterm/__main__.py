"""`python -m coproterm` is the `coproterm` command."""

import sys

from coproterm.cli import main

sys.exit(main())
