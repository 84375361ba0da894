"""The host dashboard: `coproterm host`."""
