"""The pytest plugin a verification child runs with: what happened, written as it happens.

A module of its own so that `warm.fixture_free_holders` can name it: pytest scans every registered
plugin for fixtures at each session start, and this one holds none.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

from fixturegen_helper.verify.failure import SCENARIO_CHECK, CheckFailures, clip, database_lines
from fixturegen_helper.verify.folder import SMOKE_MODULE
from fixturegen_helper.verify.holds import CREATING

MESSAGE_LIMIT = 3000


def _creating_tables(excinfo: Any) -> bool:
    try:
        return any(entry.name == "create_all" for entry in excinfo.traceback)
    except Exception:  # noqa: BLE001
        return False


class Recorder:
    """pytest plugin writing one JSON line per report to the results file (flushed each time, so
    a child killed at the timeout still tells how far it got)."""

    def __init__(self, path: str, tmp: str, collect_only: bool) -> None:
        self.f = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the child's life; its exit closes it
        self.tmp = tmp
        self.collect_only = collect_only

    def _emit(self, **record: Any) -> None:
        self.f.write(json.dumps(record, default=str) + "\n")
        self.f.flush()

    def _mark(self, name: str) -> None:
        self._emit(event="mark", name=name, t=time.monotonic(), cpu=time.process_time())

    def pytest_configure(self, config: Any) -> None:
        self._mark("configured")

    def pytest_sessionfinish(self, session: Any) -> None:
        self._mark("finished")

    def _where(self, excinfo: Any) -> str:
        """The deepest traceback entry inside the candidate files, as `path:line in name`. The
        package's `__init__.py` is fixturegen's runtime (`insert_rows`, `apply_overrides`): the
        scenario module's line that called it is the one to show, when there is one."""
        try:
            inside = [
                entry
                for entry in excinfo.traceback
                if str(entry.path).startswith(self.tmp + os.sep) and not str(entry.path).endswith(SMOKE_MODULE)
            ]
            own = [entry for entry in inside if not str(entry.path).endswith(os.sep + "__init__.py")]
            if own or inside:
                entry = (own or inside)[-1]
                rel = os.path.relpath(str(entry.path), self.tmp).replace(os.sep, "/")
                try:
                    line = str(entry.statement).strip()
                except Exception:  # noqa: BLE001
                    line = ""
                return f"\n  at {rel}:{entry.lineno + 1} in {entry.name}" + (f": {line}" if line else "")
        except Exception:  # noqa: BLE001
            pass
        return ""

    def _message(self, excinfo: Any) -> str:
        """The exception's type and message, what the database said (constraint, key), the
        candidate's line that raised it, then the SQL: long text keeps its head and tail."""
        text: str = excinfo.exconly()
        if text.startswith("Failed: "):
            return clip(text[len("Failed: ") :], MESSAGE_LIMIT)
        where = self._where(excinfo)
        # The models' tables could not be created: the database cannot hold them (see CREATING).
        prefix = CREATING if _creating_tables(excinfo) else ""
        db = database_lines(excinfo.value)
        if db is None:
            return prefix + clip(text, MESSAGE_LIMIT - len(where) - len(prefix)) + where
        said, sql = db
        head = prefix + clip("\n".join(said), MESSAGE_LIMIT * 2 // 3) + where
        return clip("\n".join([head, *sql]), MESSAGE_LIMIT)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            text = report.longreprtext or "collection failed"
            self._emit(
                event="report",
                nodeid=report.nodeid or "<collection>",
                when="collect",
                outcome="error",
                message=clip(text, MESSAGE_LIMIT),
            )

    def pytest_collection_finish(self, session: Any) -> None:
        self._mark("collected")
        if self.collect_only:
            for item in session.items:
                self._emit(event="report", nodeid=item.nodeid, when="collect", outcome="collected", message=None)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self._emit(event="start", nodeid=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        report = yield
        if call.excinfo is not None and report.failed:
            if isinstance(call.excinfo.value, CheckFailures):
                report.fixturegen_checks = [
                    (check, clip(what, MESSAGE_LIMIT) if isinstance(what, str) else self._message(what))
                    for check, what in call.excinfo.value.failed
                ]
            else:
                report.fixturegen_message = self._message(call.excinfo)
        return report

    def pytest_runtest_logreport(self, report: Any) -> None:
        checks = getattr(report, "fixturegen_checks", None)
        if report.failed and checks:
            # One record per failed check of the test, in the order they ran; the scenario check's
            # as the test's own, any other naming its check.
            for check, text in checks:
                extra = {} if check == SCENARIO_CHECK else {"check": check}
                self._emit(
                    event="report", nodeid=report.nodeid, when=report.when, outcome="failed", message=text, **extra
                )
            return
        message = None
        if report.failed:
            message = getattr(report, "fixturegen_message", None) or clip(report.longreprtext, MESSAGE_LIMIT) or None
        elif report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        self._emit(
            event="report",
            nodeid=report.nodeid,
            when=report.when,
            outcome=report.outcome,
            message=message,
            duration=getattr(report, "duration", None),
        )
