"""GitHub: the event (what was asked, pure), the githubkit edge that reads the PR and its files,
and the plan and writes that publish a review idempotently.
"""
