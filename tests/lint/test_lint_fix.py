"""--fix and --diff: libcst transforms whose results re-parse and do only their rule's job."""

import ast
import textwrap

import pytest

from bufleak_lint.cli import main

BEFORE = '''\
"""Module docstring."""
import os


class Echo:
    def channel_read(self, ctx, msg):
        text = msg.to_string()
        self.log(text)
        msg.release()


def cleanup(alloc, ctx):
    buf = alloc.buffer()
    try:
        if ctx.ready:
            ctx.write(buf)
            return
        buf.write_int(1)
    finally:
        buf.release()


async def fetch(web_client, url):
    return await web_client.get().uri(url).exchange().body_to_mono(str)


def leak(alloc):
    lost = alloc.buffer()
    lost.write_int(1)
'''

AFTER = '''\
"""Module docstring."""
import os
from pytest_bufleak import ReferenceCountUtil


class Echo:
    def channel_read(self, ctx, msg):
        try:
            text = msg.to_string()
            self.log(text)
        finally:
            ReferenceCountUtil.safe_release(msg)


def cleanup(alloc, ctx):
    buf = alloc.buffer()
    try:
        if ctx.ready:
            ctx.write(buf)
            return
        buf.write_int(1)
    finally:
        ReferenceCountUtil.safe_release(buf)


async def fetch(web_client, url):
    return await web_client.get().uri(url).retrieve().body_to_mono(str)


def leak(alloc):
    lost = alloc.buffer()
    lost.write_int(1)
'''


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_fix_rewrites_in_place_and_reports_what_is_left(tmp_path, capsys):
    path = tmp_path / "handlers.py"
    path.write_text(BEFORE)
    assert main([str(path), "--fix"]) == 1
    fixed = path.read_text()
    assert fixed == AFTER
    ast.parse(fixed)
    captured = capsys.readouterr()
    assert [line.split()[1] for line in captured.out.splitlines()] == ["BUF006"]
    assert "fixed 1 file" in captured.err
    assert main([str(path), "--fix"]) == 1
    assert path.read_text() == AFTER


def test_diff_prints_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "handlers.py"
    path.write_text(BEFORE)
    assert main([str(path), "--diff"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert "-        buf.release()\n+        ReferenceCountUtil.safe_release(buf)\n" in out
    assert "+from pytest_bufleak import ReferenceCountUtil\n" in out
    assert path.read_text() == BEFORE


def test_diff_without_fixes_exits_0(tmp_path, capsys):
    path = tmp_path / "leak.py"
    path.write_text("def leak(alloc):\n    lost = alloc.buffer()\n")
    assert main([str(path), "--diff"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "BUF006" in captured.err


def test_existing_import_is_reused_and_util_release_becomes_safe(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent("""\
        from pytest_bufleak import ReferenceCountUtil


        def f(ctx, alloc):
            buf = alloc.buffer()
            try:
                ctx.write(buf)
                ctx.flush()
            except ValueError:
                ReferenceCountUtil.release(buf, 1)
                raise
    """))
    main([str(path), "--fix"])
    assert path.read_text() == textwrap.dedent("""\
        from pytest_bufleak import ReferenceCountUtil


        def f(ctx, alloc):
            buf = alloc.buffer()
            try:
                ctx.write(buf)
                ctx.flush()
            except ValueError:
                ReferenceCountUtil.safe_release(buf, 1)
                raise
    """)


@pytest.mark.parametrize("source", [
    # a return between allocation and release: moving it into try/finally would release a
    # buffer this path never released before
    """\
def f(alloc, flag):
    buf = alloc.buffer()
    buf.write_int(1)
    if flag:
        return buf.read_int()
    buf.release()
""",
    # the release is nested deeper than the allocation
    """\
def f(alloc, flag):
    buf = alloc.buffer()
    buf.write_int(1)
    if flag:
        buf.release()
""",
])
def test_unsafe_wraps_are_not_attempted(tmp_path, source, capsys):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert main([str(path), "--fix"]) == 1
    assert path.read_text() == source
    assert "BUF001" in capsys.readouterr().out


def test_fix_keeps_a_latin1_file_in_its_encoding(tmp_path):
    path = tmp_path / "latin.py"
    source = ("# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n\n\ndef f(buf):\n"
              "    b = buf.retained_slice()\n    use(b.capacity)\n    b.release()\n")
    path.write_bytes(source.encode("latin-1"))
    main([str(path), "--fix"])
    data = path.read_bytes()
    assert b"caf\xe9" in data
    assert "ReferenceCountUtil.safe_release(b)" in data.decode("latin-1")


def test_documented_bad_example_is_fixed(tmp_path):
    # The BUF001 example of the docs reads the buffer with bytes(buf) before the release: a
    # builtin that only reads cannot take the buffer over, so the wrap is safe and is made; the
    # added import keeps PEP 8's two blank lines before the function.
    path = tmp_path / "encode.py"
    path.write_text(textwrap.dedent("""\
        def encode(alloc, value, send):
            buf = alloc.buffer(8)
            buf.write_int(value)
            send(bytes(buf))
            buf.release()
    """))
    assert main([str(path), "--fix"]) == 0
    assert path.read_text() == textwrap.dedent("""\
        from pytest_bufleak import ReferenceCountUtil


        def encode(alloc, value, send):
            buf = alloc.buffer(8)
            try:
                buf.write_int(value)
                send(bytes(buf))
            finally:
                ReferenceCountUtil.safe_release(buf)
    """)


def test_a_file_that_cannot_be_written_is_reported_not_a_traceback(tmp_path, monkeypatch, capsys):
    import bufleak_lint.cli as cli

    def refuse(path, mode="r", *args, **kwargs):
        raise PermissionError(13, "Permission denied", path)

    path = tmp_path / "m.py"
    path.write_text(BEFORE)
    monkeypatch.setattr(cli, "open", refuse, raising=False)
    assert main([str(path), "--fix"]) == 1
    assert f"{path}: cannot write the fixes: Permission denied" in capsys.readouterr().err
    assert path.read_text() == BEFORE


def test_no_fix_is_written_for_code_python_would_not_compile(tmp_path, capsys):
    # 'return' outside a function parses (ast, libcst) but does not compile: a fix elsewhere in the
    # file (BUF001 here) must not write it out as if it were fixed.
    path = tmp_path / "module_level.py"
    path.write_text(textwrap.dedent('''\
        def peek_length(buf):
            head = buf.read_retained_slice(4)
            length = head.read_int()
            head.release()
            return length

        while True:
            return 0
    '''))
    before = path.read_text()
    main([str(path), "--fix"])
    assert path.read_text() == before
    assert "would not compile" in capsys.readouterr().err


def test_a_comment_on_the_release_line_moves_with_it(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent("""\
        from pytest_bufleak import ReferenceCountUtil


        def f(alloc):
            buf = alloc.buffer()
            # the header
            buf.write_int(1)
            # give it back
            buf.release()  # done with it
    """))
    assert main([str(path), "--fix"]) == 0
    assert path.read_text() == textwrap.dedent("""\
        from pytest_bufleak import ReferenceCountUtil


        def f(alloc):
            buf = alloc.buffer()
            # the header
            try:
                buf.write_int(1)
            finally:
                # give it back
                ReferenceCountUtil.safe_release(buf)  # done with it
    """)


def test_partial_leak_gets_a_release_before_the_exit(tmp_path, capsys):
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent("""\
        from pytest_bufleak import ReferenceCountUtil


        def frame(alloc, payload, out):
            buf = alloc.buffer()
            if not payload:
                # nothing to send
                return None
            out.append(buf)
    """))
    assert main([str(path), "--fix"]) == 0
    assert path.read_text() == textwrap.dedent("""\
        from pytest_bufleak import ReferenceCountUtil


        def frame(alloc, payload, out):
            buf = alloc.buffer()
            if not payload:
                # nothing to send
                ReferenceCountUtil.safe_release(buf)
                return None
            out.append(buf)
    """)


def test_no_release_is_inserted_where_the_exit_uses_the_value(tmp_path):
    source = textwrap.dedent("""\
        def frame(alloc, payload, out):
            buf = alloc.buffer()
            if not payload:
                return buf.capacity
            out.append(buf)
    """)
    path = tmp_path / "m.py"
    path.write_text(source)
    assert main([str(path), "--fix"]) == 1
    assert path.read_text() == source
