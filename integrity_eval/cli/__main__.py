"""``python -m integrity_eval.cli``: the same as the ``integrity-eval`` command."""

import sys

from .main import main

sys.exit(main())
