"""The model review: takes the classified files and static hints, gives validated findings.
Prompts and budgets are pure; client.py is the only module that talks to the anthropic SDK.
"""
