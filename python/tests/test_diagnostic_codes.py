"""Every FG code the helper writes is in the registry (src/diagnostics/codes.ts, generated into
fixturegen_helper.diagnostic_codes, which test/diagnostics/registry.test.ts keeps current)."""

from __future__ import annotations

import re
from pathlib import Path

import fixturegen_helper
from fixturegen_helper.diagnostic_codes import CODES

HELPER = Path(fixturegen_helper.__file__).parent


def test_every_code_the_helper_writes_is_registered() -> None:
    missing = []
    for path in sorted(HELPER.glob("*.py")):
        if path.name == "diagnostic_codes.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            for code in re.findall(r"\bFG[1-6][0-9]{2}\b", line):
                if code not in CODES:
                    missing.append(f"{code} (used at {path.name}:{n}) is not in src/diagnostics/codes.ts")
    assert missing == []
