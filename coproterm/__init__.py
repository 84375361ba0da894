"""coproterm: live voting for co-production workshops, from the terminal."""

__version__ = "0.1.0"
