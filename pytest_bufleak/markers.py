"""bufleak's markers, registered whenever the package is installed, even under ``-p no:bufleak``.

A second ``pytest11`` entry point (``bufleak_markers``), so that ``--strict-markers`` never breaks
on ``@pytest.mark.bufleak`` or ``@pytest.mark.no_bufleak`` when the plugin itself is switched off.
"""


def pytest_configure(config) -> None:
    """Register the markers."""
    config.addinivalue_line(
        "markers", "bufleak(allow=N): tolerate up to N leaked buffers in this test or scope (pytest --bufleak)."
    )
    config.addinivalue_line(
        "markers", "no_bufleak: do not check this test or scope for leaked buffers (pytest --bufleak)."
    )
