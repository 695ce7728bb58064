"""`python -m orchestration.ui`: get ready for `dagster dev` (called by scripts/ui.sh).

Writes $DAGSTER_HOME/dagster.yaml (pool limit 1), runs `dbt parse` when the manifest is stale,
and says so when another process is writing the warehouse (the UI starts anyway: it never opens
the warehouse itself).
"""

import sys

from orchestration.prepare import prepare_for_ui

if __name__ == "__main__":
    sys.exit(prepare_for_ui())
