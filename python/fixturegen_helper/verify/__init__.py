"""Verify a candidate output package with pytest, in a forked child with a time limit.

Params:
    level          "collect" | "run"
    package        output package name, e.g. "generated"
    files          {relative path: source}, e.g. {"generated/__init__.py": ..., "generated/x.py": ...}
    databaseUrl    URL the fixtures use (exported as FIXTUREGEN_DATABASE_URL)
    sessionFixture null, or the project's session fixture name (then the generated package has no
                   db_session and fixturegen_helper.testing provides one under that name)
    timeoutS       seconds before the child's process group is killed (default 60)
    expectations   one per scenario fixture (see fixturegen_helper.verify.smoke)
    models         the models' import paths, for table creation with sessionFixture (required:
                   nothing is taken from an earlier introspect)

Result: {"ok", "exitCode", "timedOut", "durationMs", "tests": [{"nodeid", "outcome", "message"}],
"output", "timings"}. `outcome` is one of passed, failed, error, skipped, collected, timeout. A
failed check of a smoke test other than the scenario's own carries `"check"` (`call`: the factory
call, see `smoke`); a test with two failed checks has two entries. `exitCode` is
pytest's: 0 passed, 1 failures, 2 interrupted or collection error, 3 internal error (pytest's
code for a candidate module that fails to import as a plugin: syntax or import errors in the
package), 4 usage error, 5 nothing collected (never expected: the smoke test always collects);
also 3 when the child crashed outside pytest (traceback in `output`), and -9 when it was killed at
the timeout. Failures that happen before any test report (plugin import) get a test entry whose
nodeid is the candidate file named in the traceback (else `conftest.py`); a timeout gets an entry
with outcome `timeout` (the running test, or the candidate file that hung while importing), and
faulthandler's stack dump of the hung code is in `output`. Paths inside the temporary folder are
shown relative to it, as the files were given. `timings` says where the time went, in
milliseconds per stage (see `results.STAGES`), with `spare` (1 when a spare child served
the request), `childCpuMs` and `goToFinishedCpuMs` (CPU of the child: all of it, and from the
candidate being in place to the end of the session).

The parent (this helper process, with the project's models already imported) forks; the child
starts a new session (process group), sends fds 1 and 2 to a log file, detaches from the protocol
streams, puts the temporary folder first on sys.path (so the candidate package shadows any
`generated/` of the project) and runs `pytest.main`. The parent never imports the candidate.

Warm path: what a child would redo every time is done once in the parent (`warm`), and after each
request the next child is forked ahead (`process.Spare`): it starts pytest (plugins,
options, ini) and waits in the verifier's conftest, the first point where pytest needs the
candidate, until the parent has written the next candidate and sent the request's values; while
it waits it copies the helper's memory (`prefault`), so the run does not take a copy-on-write
fault per page it touches. A request that does not fit the spare (another level, or a candidate
whose asserts pytest must rewrite) gets a fresh child. For an in-memory SQLite the models' DDL is
recorded once per schema in the parent and replayed by the child's `create_all` (`ddl_cache`),
instead of being compiled again in every child.
Results are the same either way; only the time differs.

`verifyEach` (params `{"requests": [verify params, ...]}`, result `{"results": [...]}`) runs up to
four verifications side by side, each in its own child confined to its own folder, and answers
each exactly as `verify` would (a build on a machine with two cores verifies two batches at once).

The package's public API is what this `__init__` exports; the rest of the helper imports nothing
else from it. Inside, the work is split by side: `request` checks the request and puts the response
together, `folder` (the temporary folder's files), `child`, `recorder` and `smoke` (what runs in the
child), `process` (the parent's handling of children: the spare, waiting, killing), `results`
(reading what a child left behind), `warm`, `ddl_cache` and `prefault` (what is done once, ahead
of children).
"""

from __future__ import annotations

from fixturegen_helper.verify.child import set_protocol_fd
from fixturegen_helper.verify.holds import holds as database_holds
from fixturegen_helper.verify.process import signal_group
from fixturegen_helper.verify.request import verify, verify_each

__all__ = ["database_holds", "set_protocol_fd", "signal_group", "verify", "verify_each"]
