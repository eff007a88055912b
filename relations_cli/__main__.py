"""Run the command line as `python -m relations_cli`."""

import sys

from relations_cli.cli import main

sys.exit(main())
