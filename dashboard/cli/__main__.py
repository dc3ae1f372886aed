"""`python -m dashboard.cli`: the `aimak` command."""

import sys

from dashboard.cli import main

sys.exit(main())
