"""Credentials in changed files: the `hardcoded-secret` check and redaction before the model."""
