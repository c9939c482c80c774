"""Every package imports on its own, whichever a user imports first (codec/ and handler/ import channel/)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("first", ["pytest_bufleak.codec", "pytest_bufleak.handler",
                                   "pytest_bufleak.http", "pytest_bufleak.channel"])
def test_any_package_can_be_imported_first(first):
    code = (f"import {first}\n"
            "from pytest_bufleak.channel import LineBasedFrameDecoder, IdleStateHandler\n"
            "from pytest_bufleak.codec import LineBasedFrameDecoder as same\n"
            "assert LineBasedFrameDecoder is same\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
