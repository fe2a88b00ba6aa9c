"""``python -m knockdoor``: the same as the ``knockdoor`` command."""
import sys

from knockdoor.cli import main

sys.exit(main())
