"""Our app on the Kuaishou Open Platform, Django side.

Its credentials (from settings), the one way to call Kuaishou with them (`calls.call`), and
whether Kuaishou accepts the app at all (`status`): a fault that only the operator can fix.
"""
