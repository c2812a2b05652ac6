"""`materialize` and `verify`: reproducible datasets (services/materialize.py, services/verify.py).

`verify` exits 0 when nothing moved, 1 when the raw data drifted or a table is
missing or altered, 2 on an error, so CI can gate a retrain on it.
"""

from __future__ import annotations

import sys
from typing import Any

from dataset_tui.cli.common import (
    CliError,
    Invocation,
    add_json,
    add_yes,
    parse_date,
    print_json,
    table,
)

VERIFY_ERROR = 2


def register(sub: Any) -> None:
    p = sub.add_parser(
        "materialize",
        help="write a version's splits into tables, fingerprinted and recorded",
        description="Write the split queries of a version (default: the active one, else the latest), pinned to "
        "an as-of date (default: today), into tables <model>__<name>__v<N>__<split> of the target dataset "
        "(default: ml_datasets), fingerprint their rows and record it all on the version. "
        "On DuckDB the tables go into the local warehouse; --parquet also writes <name>_v<N>_<split>.parquet.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--version", type=int, metavar="N", help="materialize version N")
    p.add_argument("--as-of", type=parse_date, metavar="DATE", help="pin today to DATE (default: today)")
    p.add_argument("--split", default="all", metavar="SPLITS", help="train,eval / full / all (default: all)")
    p.add_argument("--to", metavar="DATASET", help="target dataset (default: ml_datasets)")
    p.add_argument("--expire-days", type=int, metavar="N", help="BigQuery: the tables expire after N days")
    p.add_argument("--parquet", metavar="DIR", help="DuckDB: also write the splits as Parquet files into DIR")
    add_yes(p)
    add_json(p)
    p.set_defaults(handler=_materialize)

    p = sub.add_parser(
        "verify",
        help="check that a materialization's rows have not drifted",
        description="Fingerprint the pinned split queries over today's raw data and the materialized tables, "
        "and compare with what was recorded. Exit 0: unchanged; 1: drifted (raw data, or a table missing or "
        "altered); 2: error.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--version", type=int, metavar="N", help="verify version N's latest materialization")
    add_yes(p)
    add_json(p)
    p.set_defaults(handler=_verify)


def _progress(enabled: bool) -> Any:
    def report(fraction: float, text: str) -> None:
        if enabled:
            print(f"[{fraction:4.0%}] {text}", file=sys.stderr)

    return report


def materialization_json(name: str, record: Any) -> dict[str, Any]:
    return {
        "name": name,
        "version": record.version,
        "definition_hash": record.definition_hash,
        "backend": record.backend,
        "as_of": record.as_of,
        "created_at": record.created_at,
        "author": record.author,
        "bytes_processed": record.bytes_processed,
        "expires_at": record.expires_at,
        "labels": record.labels,
        "splits": [
            {
                "split": s.split,
                "table": s.table,
                "rows": s.rows,
                "fingerprint": s.fingerprint.digest,
                "bytes_processed": s.bytes_processed,
                "job_id": s.job_id,
                "parquet": s.parquet,
            }
            for s in record.splits
        ],
    }


def _materialize(inv: Invocation) -> int:
    from dataset_tui.services.cost import cli_confirm
    from dataset_tui.services.materialize import materialize

    args = inv.args
    ctx = inv.context()
    result = materialize(
        ctx,
        args.name,
        version=args.version,
        as_of=args.as_of,
        splits=args.split,
        to=args.to,
        expire_days=args.expire_days,
        parquet_dir=args.parquet,
        confirm=cli_confirm(args.yes),
        progress=_progress(not args.json and sys.stderr.isatty()),
    )
    record = result.record
    if args.json:
        print_json(materialization_json(result.name, record))
        return 0
    rows = [[s.split, s.table, f"{s.rows:,}", s.fingerprint.digest] for s in record.splits]
    print(table(rows, ["split", "table", "rows", "fingerprint"]))
    for path in result.parquet:
        print(path)
    print(f"materialized {result.name} v{record.version} as of {record.as_of.isoformat()}", file=sys.stderr)
    return 0


def _verify(inv: Invocation) -> int:
    from dataset_tui.services.cost import cli_confirm
    from dataset_tui.services.errors import user_message
    from dataset_tui.services.verify import DRIFTED, verify

    args = inv.args
    try:
        ctx = inv.context()
        result = verify(ctx, args.name, version=args.version, confirm=cli_confirm(args.yes))
    except CliError as exc:
        raise CliError(str(exc), VERIFY_ERROR) from None
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            raise
        raise CliError(message, VERIFY_ERROR) from None
    if args.json:
        print_json(verify_json(result))
    else:
        record = result.materialization
        print(
            f"{result.name} v{result.version}, materialized {record.created_at:%Y-%m-%d %H:%M} UTC "
            f"as of {record.as_of.isoformat()}: {result.status}"
        )
        for check in result.checks:
            print(f"  {check.split}: {check.describe()}")
    return 1 if result.status == DRIFTED else 0


def verify_json(result: Any) -> dict[str, Any]:
    return {
        "name": result.name,
        "version": result.version,
        "status": result.status,
        "as_of": result.materialization.as_of,
        "materialized_at": result.materialization.created_at,
        "splits": [
            {
                "split": c.split,
                "table": c.table,
                "status": c.status,
                "raw": c.raw.to_dict() | {"drifted": c.raw_drifted},
                "recorded": c.recorded.to_dict(),
                "table_state": c.table_state,
                "table_fingerprint": c.table_now.to_dict() if c.table_now else None,
                "row_delta": c.row_delta,
                "rows_added": c.rows_added,
                "rows_removed": c.rows_removed,
            }
            for c in result.checks
        ],
    }

