"""The local command line review: takes a diff file, stdin or a git range, gives the review as
text, markdown or JSON on stdout.
"""
