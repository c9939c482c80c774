"""The optional compiled core: the same behaviour either way; which one runs is reported and can be switched off.

Nothing here needs the extension: the compiled-only assertions skip when it was not built.
"""
import gc
import os
import subprocess
import sys
import weakref

import pytest

import pytest_bufleak
from pytest_bufleak import ByteBuf, ReferenceCounted, ResourceLeakDetector, Unpooled, track_leaks
from pytest_bufleak.buffer import COMPILED_MODULES, bytebuf, compiled_modules

compiled_only = pytest.mark.skipif(not pytest_bufleak.COMPILED, reason="the compiled core is not built here")


def test_compiled_says_which_one_runs():
    assert pytest_bufleak.COMPILED is (compiled_modules() == COMPILED_MODULES)
    if os.environ.get("BUFLEAK_NO_EXTENSIONS", "") not in ("", "0"):
        assert pytest_bufleak.COMPILED is False and compiled_modules() == ()


def test_no_extensions_at_import_time_runs_the_sources():
    code = ("import pytest_bufleak, pytest_bufleak.buffer.bytebuf as b; "
            "print(pytest_bufleak.COMPILED, b.__file__.endswith('.py'))")
    env = dict(os.environ, BUFLEAK_NO_EXTENSIONS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


@compiled_only
def test_the_handle_is_an_extension_type_under_python_classes():
    assert not isinstance(bytebuf._Handle.__dict__["release"], type(test_compiled_says_which_one_runs))
    assert isinstance(ByteBuf.__dict__["write_bytes"], type(lambda: None)) is False  # compiled too
    buf = Unpooled.buffer(4)
    assert isinstance(buf, ReferenceCounted) and type(buf).__mro__[-3:] == (bytebuf._Handle, ReferenceCounted, object)
    buf.release()


def test_a_user_subclass_of_bytebuf_works():
    freed = []

    class FixedByteBuf(ByteBuf):
        __slots__ = ("tag",)

        def _deallocate(self):
            freed.append(self.tag)

        def is_direct(self):
            return False

    buf = FixedByteBuf(None, memoryview(bytearray(16)), 16, 16)
    buf.tag = "mine"
    buf.write_int(7).write_short(-2)
    assert (buf.read_int(), buf.read_short(), buf.ref_cnt()) == (7, -2, 1)
    assert buf.retain().release() is False and buf.release() is True
    assert freed == ["mine"] and repr(buf) == "FixedByteBuf(freed)"
    with pytest.raises(pytest_bufleak.IllegalReferenceCountException):
        buf.read_int()


def test_buffers_are_weakly_referenced_and_collected():
    buf = Unpooled.buffer(8)
    ref = weakref.ref(buf)
    buf.release()
    del buf
    gc.collect()
    assert ref() is None


def test_leak_records_name_the_user_lines_either_way():
    # The compiled handle's methods have no Python frames: the records must still skip to the user's code.
    level = ResourceLeakDetector.get_level()
    ResourceLeakDetector.set_level("paranoid")
    try:
        with track_leaks() as tracker:
            buf = Unpooled.buffer(8)  # created here
            buf.retain()  # retained here
            buf.touch("hint")  # touched here
            buf.retain()
            buf.release()  # released here
            [leak] = tracker.leaks()
            buf.release()
            buf.release()
    finally:
        ResourceLeakDetector.set_level(level)
    lines = {text: _line_of(f"# {text} here") for text in ("created", "retained", "touched", "released")}
    assert leak.frame.lineno == lines["created"] and leak.ref_cnt == 2
    # releases match the oldest references first (the allocation's): both retains are still held
    assert [frame.lineno for frame in leak.retained] == [lines["retained"], lines["retained"] + 2]
    # newest first; past the target of 4 records the newest is replaced (the second retain, by the release)
    assert [r.frames[0].lineno for r in leak.records][:3] == [lines["released"], lines["touched"], lines["retained"]]
    assert not tracker.leaks()


def _line_of(marker):
    with open(__file__, encoding="utf-8") as f:
        return next(i for i, line in enumerate(f, 1) if line.rstrip().endswith(marker))
