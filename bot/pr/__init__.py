"""A pull request's review on GitHub: takes what was asked (the event) and a GitHub client,
reads the PR and its base-branch configuration, reviews it through review/, and publishes the
comments and the sticky summary idempotently. Shared by the Action and the App.
"""
