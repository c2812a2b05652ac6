"""Pure logic: no I/O, no Textual, nothing of ours but itself."""
