"""fixturegen's Python helper: introspects SQLAlchemy models, guards and verifies generated fixtures.

Run as `python -m fixturegen_helper` with the project root as the working directory; it speaks
JSON lines on stdin/stdout (see `protocol`).
"""

__version__ = "0.1.0"
