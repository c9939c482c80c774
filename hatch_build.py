"""Hatchling build hook: the optional compiled core.

Cython compiles the modules listed in ``pytest_bufleak/buffer/__init__.py`` (``COMPILED_MODULES``) from their
own ``.py`` source, in pure-Python mode with the ``.pxd`` beside them, into extension modules that Python imports
instead of the source, and ``_core``, the compiled-only fast paths, from its ``.pyx``. Cython and setuptools
(for the compiler driver) are build requirements only: the installed package never imports them. Without
Cython, without a working C compiler, or with ``BUFLEAK_NO_EXTENSIONS=1``, the build says so and makes the
pure-Python package, which behaves the same.

A regular wheel gets the extensions as files of the wheel (tagged for the interpreter); an editable install gets
them beside the sources, where the editable path finds them (one per interpreter, named by its ABI tag).
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import sysconfig

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = os.path.join("pytest_bufleak", "buffer")

#: Cython directives: annotations are documentation (never C types), and functions keep Python's introspection.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "binding": True, "embedsignature": True}


def _say(message: str) -> None:
    print(f"pytest-bufleak build: {message}", file=sys.stderr, flush=True)


class CompiledCoreHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def _modules(self) -> list:
        with open(os.path.join(self.root, PACKAGE, "__init__.py"), encoding="utf-8") as f:
            match = re.search(r"^COMPILED_MODULES = \(([^)]*)\)", f.read(), re.M)
        return re.findall(r'"(\w+)"', match.group(1)) if match else []

    def _suffix(self) -> str:
        return sysconfig.get_config_var("EXT_SUFFIX") or ".so"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        editable = version == "editable"
        modules = self._modules()
        if editable:  # a stale extension of this interpreter would shadow the sources: the build replaces it or none
            for name in modules:
                stale = os.path.join(self.root, PACKAGE, name + self._suffix())
                if os.path.exists(stale):
                    os.remove(stale)
        if os.environ.get("BUFLEAK_NO_EXTENSIONS", "") not in ("", "0"):
            _say("BUFLEAK_NO_EXTENSIONS is set: pure Python, no compiled core")
            return
        try:
            built = self._compile(modules)
        except Exception as exc:  # noqa: BLE001 - no Cython, no compiler, a failed compile: all mean pure Python
            _say(f"compiled core skipped ({type(exc).__name__}: {exc}): pure Python")
            return
        except SystemExit as exc:  # distutils reports a compiler error this way
            _say(f"compiled core skipped (the compiler failed: {exc}): pure Python")
            return
        for name, path in built.items():
            target = os.path.join(PACKAGE, os.path.basename(path))
            if editable:
                shutil.copy2(path, os.path.join(self.root, target))
            else:
                build_data["force_include"][path] = target.replace(os.sep, "/")
        if not editable:
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
        _say(f"compiled core built ({', '.join(built)}) for Python {sys.version.split()[0]}")

    @staticmethod
    def _source(sources: str, name: str) -> str:
        """A module's ``.py`` (compiled as it is, in pure-Python mode), else its compiled-only ``.pyx``."""
        path = os.path.join(sources, PACKAGE, name + ".py")
        return path if os.path.exists(path) else path + "x"

    def _compile(self, modules: list) -> dict:
        """Cythonize and compile ``modules`` in a scratch directory; return {name: path of the extension}."""
        from Cython.Build import cythonize  # build requirements: imported only here
        from setuptools import Distribution, Extension

        scratch = tempfile.mkdtemp(prefix="bufleak-build-")
        self._scratch = scratch
        sources = os.path.join(scratch, "src")
        shutil.copytree(os.path.join(self.root, "pytest_bufleak"), os.path.join(sources, "pytest_bufleak"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "*.c"))
        extensions = [Extension(f"pytest_bufleak.buffer.{name}", [self._source(sources, name)]) for name in modules]
        cwd = os.getcwd()
        os.chdir(sources)  # so that Cython names the sources by their package path in tracebacks
        try:
            extensions = cythonize(extensions, compiler_directives=DIRECTIVES, quiet=True,
                                   nthreads=0, force=True)
            dist = Distribution({"name": "pytest-bufleak-core", "ext_modules": extensions})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib = os.path.join(scratch, "lib")
            cmd.build_temp = os.path.join(scratch, "temp")
            cmd.parallel = min(len(modules), os.cpu_count() or 1)
            cmd.ensure_finalized()
            cmd.run()
        finally:
            os.chdir(cwd)
        built = {}
        for name in modules:
            path = os.path.join(scratch, "lib", PACKAGE, name + self._suffix())
            if not os.path.exists(path):
                raise RuntimeError(f"{path} was not built")
            built[name] = path
        return built

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
