"""`python -m bot` is the same as the `backend-review` command."""

import sys

from bot.cli import main

sys.exit(main())
