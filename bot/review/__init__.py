"""The review: takes a request (files, PR text, contents), runs classify -> checks -> model,
then merges, fingerprints, places and renders. runner.py is the one entry the CLI, the
Action and the App share.
"""
