"""What a verification child left behind, read by the parent: its results file (one JSON line per
report or timestamp mark, see `recorder`) and the end of its log, turned into the response's
tests, output and timings.
"""

from __future__ import annotations

import json
import os
from typing import Any

OUTPUT_TAIL = 4000


def read_records(path: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass  # a line cut short by the kill
    except OSError:
        pass
    return records


def tests_from(records: list[dict[str, Any]], timed_out: bool, timeout_s: float) -> list[dict[str, Any]]:
    tests: dict[str, dict[str, Any]] = {}
    running: str | None = None

    def entry(nodeid: str) -> dict[str, Any]:
        if nodeid not in tests:
            tests[nodeid] = {"nodeid": nodeid, "outcome": "passed", "message": None}
        return tests[nodeid]

    for r in records:
        nodeid = r.get("nodeid") or "<unknown>"
        if r["event"] == "start":
            running = nodeid
            entry(nodeid)["outcome"] = "running"
        elif r["event"] == "report":
            when, outcome = r["when"], r["outcome"]
            message = r.get("message")
            t = entry(nodeid)
            if when == "collect":
                t["outcome"] = "error" if outcome == "error" else outcome
                t["message"] = message
            elif when == "setup":
                if outcome == "failed":
                    t["outcome"], t["message"] = "error", message
                elif outcome == "skipped":
                    t["outcome"], t["message"] = "skipped", message
            elif when == "call":
                check = r.get("check")
                if check is not None and t["outcome"] != "running":
                    # A second failed check of the same test: a result of its own.
                    t = tests.setdefault(f"{nodeid} {check}", {"nodeid": nodeid, "outcome": "passed", "message": None})
                t["outcome"] = outcome
                if outcome != "passed":
                    t["message"] = message
                if check is not None:
                    t["check"] = str(check)
            elif when == "teardown":
                running = None
                if outcome == "failed":
                    if t["outcome"] in ("passed", "running"):
                        t["outcome"], t["message"] = "error", message
                    else:
                        t["message"] = f"{t['message']}\n(teardown also failed) {message}"
                elif t["outcome"] == "running":
                    t["outcome"] = "passed"
    for t in tests.values():
        if t["outcome"] == "running":
            if timed_out and t["nodeid"] == running:
                t["outcome"] = "timeout"
                t["message"] = f"killed after {timeout_s:g} s while running this test"
            else:
                t["outcome"] = "error"
                t["message"] = t["message"] or "the test did not finish"
    return list(tests.values())


def read_log(path: str) -> str:
    """The end of the child's log, four times as long as the output it becomes: a stack dump's
    first frames (the candidate's) must survive until the dump's other frames are dropped."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - OUTPUT_TAIL * 4))
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return text


def relative(text: str, tmp: str) -> str:
    """Paths inside the temporary folder, shown relative to it (as the files were given)."""
    return text.replace(tmp + os.sep, "").replace(tmp, ".")


def strip_dump(output: str) -> str:
    """Drop the frames of pytest, the standard library and this helper from faulthandler's stack
    dump, keeping the candidate's frames (which come first: most recent call first)."""
    keep = []
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("File ") and (
            "site-packages" in stripped
            or "<frozen" in stripped
            or "fixturegen_helper" in stripped
            or f"{os.sep}lib{os.sep}python" in stripped
        ):
            continue
        keep.append(line)
    return "\n".join(keep) + "\n"


def blamed_file(output: str, p: dict[str, Any]) -> str:
    """The deepest candidate file the output mentions (a traceback or stack dump), else conftest.py."""
    import re

    pattern = r'File "([^"]+)", line \d+|^([^\s:]+\.py):\d+: in '
    hits = [
        name
        for m in re.finditer(pattern, output, re.MULTILINE)
        for name in (m.group(1) or m.group(2),)
        if name in p["files"]
    ]
    return hits[-1] if hits else "conftest.py"


#: Stages of one verification: (name, from mark, to mark). The parent marks start, sent (the
#: candidate handed to a child), reaped and end; the child marks child (forked), pytest
#: (pytest.main called), go (candidate in place: conftest reached), configured, collected and
#: finished (see `recorder.Recorder`).
STAGES = (
    ("prepareMs", "start", "sent"),
    ("childSetupMs", "child", "pytest"),
    ("pytestStartupMs", "pytest", "go"),
    ("candidateImportMs", "go", "configured"),
    ("collectMs", "configured", "collected"),
    ("runMs", "collected", "finished"),
    ("exitMs", "finished", "reaped"),
    ("reportMs", "reaped", "end"),
)


def stage_timings(records: list[dict[str, Any]], points: dict[str, float], spare: bool) -> dict[str, float]:
    """Milliseconds per stage of this request. A spare's set-up and pytest start-up happened
    before the request and are not part of it (`spare` is 1); stages with missing marks (a crash,
    a timeout) are left out."""
    t = dict(points)
    cpu: dict[str, float] = {}
    for r in records:
        if r.get("event") == "mark" and isinstance(r.get("t"), (int, float)):
            t.setdefault(str(r.get("name")), float(r["t"]))
            if isinstance(r.get("cpu"), (int, float)):
                cpu.setdefault(str(r.get("name")), float(r["cpu"]))
    out = {
        name: round((t[b] - t[a]) * 1000, 2) for name, a, b in STAGES if a in t and b in t and t[a] >= points["start"]
    }
    out["spare"] = 1.0 if spare else 0.0
    if "go" in cpu and "finished" in cpu:
        # The child's own CPU once the candidate was in place: what load does not skew.
        out["goToFinishedCpuMs"] = round((cpu["finished"] - cpu["go"]) * 1000, 2)
    return out


def read_verdict(path: str) -> set[str]:
    """The smoke tests that confirmed their own pass (see `child.confirm`)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return {line.strip() for line in f if line.strip()}
    except OSError:
        return set()


UNCONFIRMED = (
    "pytest reported {outcome}, but fixturegen's smoke test did not confirm it: the test did not "
    "run to its end, so a pytest hook, plugin or fixture in the candidate changed the outcome"
)


def apply_verdict(
    tests: list[dict[str, Any]],
    confirmed: set[str],
    expectations: list[Any],
    smoke: str,
    own_tests: list[dict[str, Any]] | None = None,
) -> None:
    """A run's tests, checked against the smoke tests' own verdicts: every expected smoke test
    must have confirmed its pass. A test pytest reported passed or skipped without confirming it
    becomes `unconfirmed`; so does an expected test with no report at all (deselected, never run)
    when nothing else failed (a failure, such as a candidate that does not import, says why)."""
    expected = ["test_fixturegen_baseline"]
    expected += [f"test_fixturegen_scenario[{e.get('fixture')}]" for e in expectations if isinstance(e, dict)]
    expected.append("test_fixturegen_isolation")
    where = {name: smoke for name in expected}
    for module in own_tests or []:
        for name in module["names"]:
            expected.append(name)
            where[name] = module["path"]
    seen = set()
    for t in tests:
        name = t["nodeid"].rsplit("::", 1)[-1]
        seen.add(name)
        if t["outcome"] in ("passed", "skipped") and name not in confirmed:
            t["outcome"], t["message"] = "unconfirmed", UNCONFIRMED.format(outcome=t["outcome"])
    if any(t["outcome"] in ("failed", "error", "timeout") for t in tests):
        return
    for name in expected:
        if name not in seen and name not in confirmed:
            tests.append(
                {
                    "nodeid": f"{where[name]}::{name}",
                    "outcome": "unconfirmed",
                    "message": UNCONFIRMED.format(outcome="nothing"),
                }
            )
