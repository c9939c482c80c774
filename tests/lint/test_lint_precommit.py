"""The pre-commit hook, run through ``pre-commit try-repo`` on a scratch repository."""

import os
import shutil
import subprocess
import sys

import pytest

from lint_helpers import ROOT, run

PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which(
    "pre-commit")
NETWORK_TROUBLE = ("Failed to establish a new connection", "Temporary failure in name resolution",
                   "No matching distribution found", "Could not find a version that satisfies")


def test_hook_definition():
    yaml = pytest.importorskip("yaml")
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as handle:
        hooks = yaml.safe_load(handle)
    hook = next(h for h in hooks if h["id"] == "bufleak-lint")
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["entry"] == "bufleak-lint"


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed (dev extra)")
def test_try_repo_runs_the_hook(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / "leak.py").write_text("def f(alloc):\n    buf = alloc.buffer()\n"
                                  "    buf.write_int(1)\n    buf.release()\n")
    (repo / "clean.py").write_text("def f(alloc):\n    return alloc.buffer()\n")
    (repo / "notes.txt").write_text("buf = alloc.buffer()\n")
    # The hook runs the linter only: its environment need not compile the runtime's core.
    env = dict(os.environ, BUFLEAK_NO_EXTENSIONS="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "init"]):
        subprocess.run(command, cwd=repo, check=True, env=env)
    result = run([PRE_COMMIT, "try-repo", ROOT, "bufleak-lint", "--all-files"], cwd=str(repo),
                 env=env)
    output = result.stdout + result.stderr
    if result.returncode not in (0, 1) and any(text in output for text in NETWORK_TROUBLE):
        pytest.skip("pre-commit could not install the hook environment: PyPI is unreachable")
    assert result.returncode == 1, output
    assert "bufleak-lint" in output and "Failed" in output
    assert "leak.py:4:5: BUF001" in output
    assert "clean.py" not in output.split("Failed", 1)[1]
    assert "notes.txt" not in output
