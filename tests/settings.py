"""Settings for the test suite: cbtc.settings with CBTC_MODE=test and nothing written outside a temp dir.

The test run must not depend on the developer's shell, so the mode is set here rather than expected from
the environment. DATABASE_URL still comes from the environment, which is how CI runs the same suite on
PostgreSQL.
"""

import os
import tempfile

os.environ["CBTC_MODE"] = "test"
os.environ["CBTC_SECRET_KEY"] = "test-only-secret-key-not-used-anywhere-else-0123456789"
os.environ["CBTC_DATA_DIR"] = tempfile.mkdtemp(prefix="cbtc-test-")
for variable in ("CBTC_REQUIRE_MFA", "CBTC_SECURE", "CBTC_DEBUG"):
    os.environ.pop(variable, None)  # a developer's shell must not change what the tests see

from cbtc.settings import *  # noqa: E402, F403  # the real settings, read with the environment above
