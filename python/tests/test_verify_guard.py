"""guardVerify: the guard and, only when it found nothing, the verification of the same candidate,
in one round trip, each answered exactly as `guard` and `verify` answer on their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sample_package as sp
from conftest import REPO, Helper
from guard_params import catalog_params

#: Passes the guard, fails the smoke test (two users where the scenario says three).
TWO_USERS = sp.SCENARIO.replace("for i in range(3)]", "for i in range(2)]", 1).replace("users[i % 3]", "users[i % 2]")
#: Refused by the guard; were it ever run, it would leave a file beside the repository.
MARKER = REPO / ".fixturegen-guard-verify-marker"
REFUSED = sp.SCENARIO.replace(
    "def create_tenant_with_team(session)",
    f"open({str(MARKER)!r}, 'w').write('ran')\n\n\ndef create_tenant_with_team(session)",
    1,
)


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """All but timings (durations too): what must not differ from a verification on its own."""
    tests = [{k: v for k, v in t.items() if k != "durationMs"} for t in result["tests"]]
    return {**{k: result[k] for k in ("ok", "exitCode", "timedOut")}, "tests": tests}


@pytest.fixture
def helper() -> Iterator[Helper]:
    h = Helper(REPO)
    h.result("introspect", {"models": ["crm.models"]})
    yield h
    h.close()


@pytest.fixture(scope="module")
def guard_base() -> dict[str, Any]:
    return {**catalog_params(["crm.models"]), "package": "generated", "parents": []}


@pytest.mark.parametrize("source", [sp.SCENARIO, TWO_USERS], ids=["passes", "fails-the-smoke-test"])
def test_answers_what_guard_then_verify_answer(helper: Helper, guard_base: dict[str, Any], source: str) -> None:
    guard = {**guard_base, "source": source}
    verify = sp.verify_params("run", files=sp.files(source))
    alone = helper.result("guard", guard), helper.result("verify", verify)
    both = helper.result("guardVerify", {"guard": guard, "verify": verify})
    assert alone[0] == {"diagnostics": []}
    assert both["guard"] == alone[0]
    assert isinstance(both["guardMs"], (int, float)) and both["guardMs"] >= 0
    assert comparable(both["verify"]) == comparable(alone[1])
    assert both["verify"]["ok"] is (source == sp.SCENARIO)


def test_a_refused_candidate_is_never_verified(helper: Helper, guard_base: dict[str, Any]) -> None:
    MARKER.unlink(missing_ok=True)
    guard = {**guard_base, "source": REFUSED}
    refused = helper.result("guard", guard)
    assert refused["diagnostics"], "the guard must refuse a module-level call"
    both = helper.result("guardVerify", {"guard": guard, "verify": sp.verify_params("run", files=sp.files(REFUSED))})
    assert both["guard"] == refused
    assert both["verify"] is None
    assert not MARKER.exists()


def test_malformed_params_are_a_protocol_error(helper: Helper) -> None:
    response = helper.request("guardVerify", {"guard": None, "verify": sp.verify_params("run")})
    assert response["error"]["type"] == "ProtocolError"
