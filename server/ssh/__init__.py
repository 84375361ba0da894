"""Join with nothing but ssh: the participant app served over SSH, inside the hub's process."""

DEFAULT_SSH_PORT = 2222
