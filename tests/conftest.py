"""Suite-wide set-up: nothing here touches a database (see tests/integration/conftest.py)."""

from __future__ import annotations

import os
import tempfile

# Prefect reads its settings when first imported: keep it off ~/.prefect and quiet.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="channelops-prefect-"))
os.environ["PREFECT_API_URL"] = ""
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"
os.environ.setdefault("CHANNELOPS_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
pytest_plugins = ["tests.support.fixtures"]
