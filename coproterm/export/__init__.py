"""Writing a session's report out: CSV and JSON for analysis, HTML to send round."""
