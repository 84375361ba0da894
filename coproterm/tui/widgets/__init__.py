"""Widgets shared by the host dashboard and the participant app."""
