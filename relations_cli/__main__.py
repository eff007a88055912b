"""Run the command line as `python -m relations_cli`."""

import sys

from relations_cli.entry import main

sys.exit(main())
