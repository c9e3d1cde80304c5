"""`python -m rag.cli ...`: the same as the `newsrag` command."""

import sys

from rag.cli.main import main

sys.exit(main())
