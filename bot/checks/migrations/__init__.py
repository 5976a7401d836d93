"""Migration safety: takes changed migration files (SQL and ORM), gives lock and compatibility
hazards in squawk's vocabulary. Files are read, never imported or run.
"""
