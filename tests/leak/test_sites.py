"""Allocation sites: a frame walk that skips the runtime's own frames; lines resolved only when asked."""
import doctest
import sys
import threading
import timeit
import traceback

from pytest_bufleak.leak import sites


def _capture_here():
    return sites.capture(), sys._getframe().f_lineno


def test_capture_keeps_code_and_offset_and_resolves_the_calling_line():
    site, line = _capture_here()
    frames = sites.resolve(site)
    assert frames[0].filename == __file__
    assert frames[0].lineno == line
    assert frames[0].name == "_capture_here"
    assert frames[1].name == "test_capture_keeps_code_and_offset_and_resolves_the_calling_line"


def test_callers_inside_pytest_are_not_shown():
    site, _ = _capture_here()
    assert all("_pytest" not in frame.filename and "pluggy" not in frame.filename for frame in sites.resolve(site))


def test_line_of_an_offset_outside_the_code_is_the_first_line():
    code = _capture_here.__code__
    assert sites.line_of(code, 10**6) == code.co_firstlineno


def test_frame_format_and_shorten():
    frame = sites.Frame("/root/dir/tests/test_x.py", 12, "test_x")
    assert frame.format("/root/dir") == "tests/test_x.py:12 in test_x"
    assert frame.format("/elsewhere") == "/root/dir/tests/test_x.py:12 in test_x"


def test_capture_is_much_cheaper_than_extract_stack():
    walk = min(timeit.repeat(sites.capture, number=200, repeat=5))
    extract = min(timeit.repeat(traceback.extract_stack, number=200, repeat=5))
    assert walk * 5 < extract


def test_callers_in_thread_pools_threads_and_doctest_are_not_shown():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        site, line = pool.submit(_capture_here).result()
    frames = sites.resolve(site)
    assert [(frame.filename, frame.lineno) for frame in frames] == [(__file__, line)]
    made = []
    thread = threading.Thread(target=lambda: made.append(_capture_here()))
    thread.start()
    thread.join()
    assert [frame.name for frame in sites.resolve(made[0][0])] == ["_capture_here", "<lambda>"]
    example = doctest.DocTestParser().get_doctest(">>> site = capture()\n", {"capture": sites.capture}, "ex", "ex.py", 0)
    doctest.DocTestRunner().run(example, clear_globs=False)
    assert [frame.filename for frame in sites.resolve(example.globs["site"])] == ["<doctest ex[0]>"]
