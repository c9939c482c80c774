"""bufleak-lint: catch reference-counted buffer leaks before they run.

A libcst linter for code written against the bufleak runtime (Netty-style
``ByteBuf`` reference counting).  Three faces share one engine: the
``bufleak-lint`` command, the flake8 plugin (codes ``BUF``) and the
pre-commit hook.  It reads code and never imports the runtime.
"""

__version__ = "0.1.0"
