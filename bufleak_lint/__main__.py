"""``python -m bufleak_lint``: the same as the ``bufleak-lint`` command."""

import sys

from bufleak_lint.cli import main

if __name__ == "__main__":
    sys.exit(main())
