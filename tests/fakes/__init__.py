"""One fake per seam of the dialogue (``dialogue.ports``), for unit tests of the policy.

Conversation tests use the real SQLite store instead.
"""
