# pytester drives the plugin tests; declared here, in the top conftest, as pytest requires.
pytest_plugins = ["pytester"]
