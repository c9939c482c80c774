"""The README's client example, run as written against the real test server."""
from __future__ import annotations

import pathlib
import re

from http_client_servers import real_server, run

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def client_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## HTTP/1.1: the client", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_readme_client_example_runs():
    namespace = {}
    exec(compile(client_example(), "README.md:client", "exec"), namespace)
    with real_server() as server:
        result = run(namespace["main"](server.url))
    item, status, head_body, missing, echoed, size, exchanged, active = result
    assert item == {"id": 1, "name": "bufleak"}
    assert (status, head_body, missing, echoed) == (200, None, b"error 404", b"POST ping")
    assert (size, exchanged, active) == (1000000, 200, 0)
