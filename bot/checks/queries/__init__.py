"""Query risks: takes changed query code (raw SQL, ORM calls, string-built queries), gives
injection, N+1, unbounded-read and lock findings.
"""
