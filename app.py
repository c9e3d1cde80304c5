"""Start the newsrag chat app: ``python app.py [--host H] [--port P] [--index DIR] [--data DIR] [--auth user:pass]``.

Same as ``newsrag serve``; kept at the repo root so the app starts with one
obvious command on a fresh checkout (it builds ``index/`` from ``data/`` first
if needed). See rag/cli/serve.py for the options.
"""

import sys

from rag.cli.serve import main

if __name__ == "__main__":
    sys.exit(main())
