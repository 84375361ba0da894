"""The hub and its shells: websockets today; SSH, storage and discovery beside it."""
