"""verify: each test of a run says how long pytest took for it, so a batch of scenarios can tell
each scenario's own time from the batch's fixed cost (fixturegen's build reports both)."""

from __future__ import annotations

import sample_package as sp
from conftest import Helper


def test_every_reported_test_has_its_own_duration(helper: Helper) -> None:
    result = helper.result("verify", sp.verify_params("run"))
    assert result["ok"], result["output"]
    durations = {t["nodeid"]: t.get("durationMs") for t in result["tests"]}
    assert len(durations) == 3
    for nodeid, ms in durations.items():
        assert isinstance(ms, float) and ms >= 0, nodeid
    # The tests' own times are part of the request's, never more.
    assert sum(durations.values()) <= result["durationMs"] + 1
