"""bufleak's markers and ini keys, registered whenever the package is installed, even under ``-p no:bufleak``.

A second ``pytest11`` entry point (``bufleak_markers``), so that ``--strict-markers`` never breaks
on ``@pytest.mark.bufleak`` or ``@pytest.mark.no_bufleak``, nor ``--strict-config`` on the ini keys
``bufleak`` and ``bufleak_level``, when the plugin itself is switched off.
"""


def add_ini_keys(parser) -> None:
    """Register the ini keys ``bufleak`` and ``bufleak_level`` (registering twice is harmless)."""
    parser.addini("bufleak", "check every test for leaked buffers, like --bufleak (true/false).", default="false")
    parser.addini("bufleak_level", "the --bufleak-level to use when the option is not given.", default="")


def pytest_addoption(parser) -> None:
    """Register the ini keys, so that a configuration naming them stays valid under ``-p no:bufleak``."""
    add_ini_keys(parser)


def pytest_configure(config) -> None:
    """Register the markers."""
    config.addinivalue_line(
        "markers", "bufleak(allow=N): tolerate up to N leaked buffers in this test or scope (pytest --bufleak)."
    )
    config.addinivalue_line(
        "markers", "no_bufleak: do not check this test or scope for leaked buffers (pytest --bufleak)."
    )
