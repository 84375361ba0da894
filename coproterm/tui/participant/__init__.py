"""The participant app: `coproterm join`."""
