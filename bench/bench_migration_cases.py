"""Recall and precision of the migration checks on our own case sets, per family.

The cases live in tests/samples/migrations/cases/*.yaml (Django and Alembic hazards in the
style of django-migration-linter's test apps, one case per squawk rule); the scoring is
tests/migration_cases.py, which the unit tests also hold to >= 0.95.

    python bench/bench_migration_cases.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.migration_cases import main

if __name__ == "__main__":
    sys.exit(main())
