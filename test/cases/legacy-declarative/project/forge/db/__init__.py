"""The server's database layer: every table module imported here, as the server's startup does."""

from forge.db import base, issues, repos, users  # noqa: F401

Base = base.Base
