"""The pure core: boards and decks, the wire codec, the session state machine.

Nothing in this package does I/O, reads a clock or imports Textual,
websockets, asyncssh or sqlite3; tests/test_boundaries.py keeps it so.
"""
