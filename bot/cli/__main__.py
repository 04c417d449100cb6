"""`python -m bot.cli` runs the same command line as the `csbot` script."""

import sys

from bot.cli import main

sys.exit(main())
