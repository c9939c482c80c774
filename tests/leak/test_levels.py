import os
import subprocess
import sys

import pytest

from pytest_bufleak import LeakLevel, ResourceLeakDetector


@pytest.mark.parametrize(
    "text, level",
    [("paranoid", LeakLevel.PARANOID), ("Advanced", LeakLevel.ADVANCED), (" simple ", LeakLevel.SIMPLE),
     ("DISABLED", LeakLevel.DISABLED), ("3", LeakLevel.PARANOID), (LeakLevel.SIMPLE, LeakLevel.SIMPLE)],
)
def test_parse_names_ordinals_and_levels(text, level):
    assert LeakLevel.parse(text) is level


def test_parse_rejects_unknown_naming_the_choices():
    with pytest.raises(ValueError, match=r"'loud'.*disabled, simple, advanced, paranoid"):
        LeakLevel.parse("loud")


def test_levels_print_by_name_like_netty():
    assert str(LeakLevel.SIMPLE) == "SIMPLE" and f"{LeakLevel.PARANOID}" == "PARANOID"


def test_levels_are_ordered_like_netty():
    assert LeakLevel.DISABLED < LeakLevel.SIMPLE < LeakLevel.ADVANCED < LeakLevel.PARANOID


def test_set_and_get_level():
    ResourceLeakDetector.set_level("advanced")
    assert ResourceLeakDetector.get_level() is LeakLevel.ADVANCED
    assert ResourceLeakDetector.is_enabled()
    ResourceLeakDetector.set_level(LeakLevel.DISABLED)
    assert not ResourceLeakDetector.is_enabled()


@pytest.mark.parametrize("bad", [-1, 1.5, True, "4"])
def test_target_records_must_be_a_non_negative_int(bad):
    with pytest.raises(ValueError, match="target records"):
        ResourceLeakDetector.set_target_records(bad)


def test_sampling_interval_must_be_positive():
    with pytest.raises(ValueError, match="sampling interval"):
        ResourceLeakDetector.set_sampling_interval(0)


def _level_in_child(**env):
    code = "from pytest_bufleak import ResourceLeakDetector as R; print(R.get_level().name, R.get_target_records())"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BUFLEAK_")}
    environ.update(env)
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    return done.stdout.split(), done.stderr


def test_default_level_is_simple_with_four_records():
    assert _level_in_child()[0] == ["SIMPLE", "4"]


def test_environment_sets_the_start_level_and_records():
    assert _level_in_child(BUFLEAK_LEVEL="paranoid", BUFLEAK_TARGET_RECORDS="9")[0] == ["PARANOID", "9"]


def test_bad_environment_value_is_ignored_with_a_warning():
    out, err = _level_in_child(BUFLEAK_LEVEL="loud")
    assert out == ["SIMPLE", "4"]
    assert "ignoring BUFLEAK_LEVEL='loud'" in err
