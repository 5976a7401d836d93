"""The GitHub Action: takes the workflow's event and inputs, reviews the PR through the shared
runner, and gives inline comments, the sticky summary, the job summary and step outputs.
"""
