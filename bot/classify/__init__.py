"""Classification: takes the changed files, gives each one's backend kinds (api / migration /
query) with the reasons, or why it was skipped.
"""
