"""backend-review: reviews the backend side of pull requests."""

__version__ = "0.1.0"
