"""The faces: the host dashboard and the participant app (Textual)."""
