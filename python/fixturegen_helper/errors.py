"""The one error type every stage of the helper raises; the protocol reports its `type` and message."""

from __future__ import annotations


class HelperError(Exception):
    """An error reported to the caller with a stable `type` (ImportError, MapperError, ...)."""

    def __init__(self, type_: str, message: str, tb: str = "") -> None:
        super().__init__(message)
        self.type = type_
        self.message = message
        self.traceback = tb
