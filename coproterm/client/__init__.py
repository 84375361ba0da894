"""Client shells: the connection to a hub, shared by every face."""
