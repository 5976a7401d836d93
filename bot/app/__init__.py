"""The GitHub App: takes signed webhook deliveries, queues them durably, and gives each pull
request one review at a time through the shared runner, run by workers.
"""
