"""The use cases both faces call (DESIGN §2): the CLI and the TUI never touch
the store or a warehouse except through these modules.

- context.py      AppContext: settings, the store, the (lazily opened) warehouse
- errors.py       which exceptions are the user's to read, and their wording
- cost.py         the cost guard: dry run, confirmation callback, byte cap
- definitions.py  save with checks, import/export definition files, versions
- exports.py      SQL / TFX / definition files written atomically and recorded
- catalog.py      table listings (shard families folded), `tables --json` rows
- values.py       warehouse values as plain JSON data
- schemas.py      tables, schema + suggested roles, joins, a suggested mapping
- table_stats.py  column statistics (cached) and sample values
- checks.py       activation checks against the warehouse, column types filled in
- runs.py         validate (dry run, cost), analyze (cached), preview
- compare.py      2-5 datasets side by side
- local_warehouse.py  the DuckDB demo (first use, rebuild) and file imports
"""
