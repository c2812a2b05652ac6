"""The use cases both faces call (DESIGN §2): the CLI and the TUI never touch
the store or a warehouse except through these modules.

- context.py      AppContext: settings, the store, the (lazily opened) warehouse
- errors.py       which exceptions are the user's to read, and their wording
- cost.py         the cost guard: dry run, confirmation callback, byte cap
- definitions.py  save with checks, import/export definition files, versions
- exports.py      SQL / TFX / definition files written atomically and recorded
- warehouse_ops.py tables, schema + suggestions, stats (cached), samples, joins,
                  activation checks, validate, analyze (cached), preview, compare
"""
