# The sample project's tests: `pytest tests` from the repository root (after `fixturegen build`).
pytest_plugins = ["generated"]
