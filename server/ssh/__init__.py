"""Join with nothing but ssh: the participant app served over SSH, inside the hub's process."""
