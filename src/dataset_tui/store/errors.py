"""The store's errors; every message says what to do."""


class StoreError(Exception):
    """Base of every store failure meant for the user."""
