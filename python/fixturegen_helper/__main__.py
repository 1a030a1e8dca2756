"""Entry point: `python -m fixturegen_helper` (cwd = the user's project root)."""

from fixturegen_helper.protocol import main

if __name__ == "__main__":
    raise SystemExit(main())
