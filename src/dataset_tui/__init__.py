"""dataset-tui: define ML training datasets on BigQuery from a terminal."""

__version__ = "0.1.0"
