"""The load test (issue 15): Locust scenarios, the run, the reconciliation and the report.

The simulated clients reuse the end-to-end suites' helpers (tests/e2e/e2e_support: target
loading, Cognito users, partner tokens), so ``tests/e2e`` is put on ``sys.path`` here.
"""

import sys
from pathlib import Path

E2E_DIR = Path(__file__).resolve().parents[1] / "tests" / "e2e"
if str(E2E_DIR) not in sys.path:
    sys.path.insert(0, str(E2E_DIR))
