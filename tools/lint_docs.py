"""Regenerate the rule sections of docs/lint.md and of the README from the rule modules.

Run ``python tools/lint_docs.py`` after changing a rule's text; ``--check`` exits 1 when the
files are stale (the test-suite checks the same thing).
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bufleak_lint.rules import RULES  # noqa: E402

DOCS_MARK = "# The rules\n"
README_START = "| code | finds |\n"
README_END = "## Development\n"


def docs_text(current: str) -> str:
    head = current[:current.index(DOCS_MARK) + len(DOCS_MARK)]
    return head + "".join("\n" + rule.explain() for rule in RULES)


def readme_text(current: str) -> str:
    start, end = current.index(README_START), current.index(README_END)
    rows = "".join(f"| [`{r.code}`](#{r.code.lower()}) | {r.summary} |\n" for r in RULES)
    sections = "".join(f"#### {r.code}\n\n**{r.name}.** {r.summary} {r.why}\n\nFix: {r.fix}\n\n"
                       for r in RULES)
    return current[:start] + README_START + "| --- | --- |\n" + rows + "\n" + sections + current[end:]


def main(argv) -> int:
    stale = []
    for parts, render in ((("docs", "lint.md"), docs_text), (("README.md",), readme_text)):
        path = os.path.join(ROOT, *parts)
        with open(path, encoding="utf-8") as handle:
            current = handle.read()
        wanted = render(current)
        if wanted != current:
            stale.append(path)
            if "--check" not in argv:
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(wanted)
    if stale and "--check" in argv:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
