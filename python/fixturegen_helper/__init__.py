"""fixturegen's Python helper: introspects SQLAlchemy models, guards and verifies generated fixtures.

Run as `python -m fixturegen_helper` with the project root as the working directory; it speaks
JSON lines on stdin/stdout (see `protocol`).
"""

import os as _os

__version__ = "0.1.0"

# The helper (started by the CLI) loads its own modules from a bytecode cache; see bytecode_cache.
if _os.environ.get("FIXTUREGEN_HELPER_PYCACHE"):
    from fixturegen_helper import bytecode_cache as _bytecode_cache

    _bytecode_cache.install(_os.environ["FIXTUREGEN_HELPER_PYCACHE"])
