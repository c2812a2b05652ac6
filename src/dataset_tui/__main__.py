"""`python -m dataset_tui` is the same as the `dataset-tui` command."""

from dataset_tui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
