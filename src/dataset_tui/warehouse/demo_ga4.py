"""A small GA4-like export in the demo: ``events_YYYYMMDD``, one table a day.

The shape is BigQuery's GA4 export, the raw data ML engineers most often
have: date-sharded tables, an INT64 ``event_timestamp`` in microseconds,
``event_params`` as an ARRAY of key/value STRUCTs, ``items`` as an ARRAY of
STRUCTs, and nested records (``device``, ``geo``, ``ecommerce``). Columns:

- ``event_date`` STRING (YYYYMMDD), ``event_timestamp`` INT64 (µs, UTC),
  ``event_name`` STRING (page_view, session_start, view_item, add_to_cart,
  purchase), ``user_pseudo_id`` STRING, ``user_id`` STRING (a demo
  ``customer_id`` for signed-in users, else NULL);
- ``event_params`` ARRAY<STRUCT<key STRING, value STRUCT<string_value STRING,
  int_value INT64, float_value FLOAT64, double_value FLOAT64>>>: keys
  ``ga_session_id`` (int), ``page_location`` (string), ``engagement_time_msec``
  (int), and ``currency`` (string) on purchases;
- ``device`` STRUCT<category, operating_system>, ``geo`` STRUCT<country>;
- ``ecommerce`` STRUCT<transaction_id STRING, purchase_revenue FLOAT64,
  total_item_quantity INT64> (NULL fields unless a purchase);
- ``items`` ARRAY<STRUCT<item_id, item_name, item_category, price FLOAT64,
  quantity INT64>>: the demo's products (item_id = product_id), one to three
  per add_to_cart or purchase, empty otherwise.

Generated inside DuckDB from ``range()`` and ``hash()`` like the rest of the
demo, so the same (seed, today) gives the same shards. It needs the demo's
``products`` and ``customers`` tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

DAYS = 90
EVENTS_PER_DAY = 3000
USERS = 4000
PREFIX = "events_"

_EVENTS = (["page_view", "session_start", "view_item", "add_to_cart", "purchase"], [50, 14, 16, 12, 8])
_DEVICES = ["mobile", "desktop", "tablet"]
_SYSTEMS = ["Android", "iOS", "Windows", "Macintosh", "Linux"]
_COUNTRIES = ["United States", "Germany", "United Kingdom", "France", "Japan", "Brazil", "India"]
_COUNTRY_WEIGHTS = [35, 15, 15, 10, 10, 8, 7]


def _pick(u: str, values: list[str], weights: list[int] | None = None) -> str:
    from dataset_tui.warehouse.demo import _pick as pick

    return pick(u, values, weights)


def is_shard(name: str) -> bool:
    """Whether a table name is one of the demo's GA4 shards (`events_YYYYMMDD`)."""
    from dataset_tui.domain.shards import parse_suffix

    suffix = name.removeprefix(PREFIX)
    if suffix == name or len(suffix) != 8 or not suffix.isdigit():
        return False
    try:
        parse_suffix(suffix)
    except ValueError:
        return False
    return True


def shard_names(today: dt.date, days: int = DAYS) -> list[str]:
    """The shard tables the demo has for `today`: the `days` days before it."""
    first = today - dt.timedelta(days=days)
    return [PREFIX + (first + dt.timedelta(days=d)).strftime("%Y%m%d") for d in range(days)]


def generate_ga4(
    con: Any,
    *,
    dataset: str,
    seed: int,
    today: dt.date,
    days: int = DAYS,
    events_per_day: int = EVENTS_PER_DAY,
    report: Callable[[float, str], None] | None = None,
) -> list[str]:
    """Create the ``events_YYYYMMDD`` shards in `dataset`; returns their names.

    The `u(i, salt)` macro of the demo build must exist on `con`.
    """
    tell = report or (lambda fraction, message: None)
    first = today - dt.timedelta(days=days)
    total = days * events_per_day
    products = con.execute(f"SELECT count(*) FROM {dataset}.products").fetchone()[0]
    customers = con.execute(f"SELECT count(*) FROM {dataset}.customers").fetchone()[0]
    event_names, event_weights = _EVENTS
    # One row per event; users are power-law active, like the shop's customers.
    con.execute(
        f"""
        CREATE TEMP TABLE ga4_events AS
        SELECT
            e,
            e // {events_per_day} AS day_no,
            floor({USERS} * pow(u(e, 'ga4 user'), 1.8))::BIGINT AS user_no,
            {_pick("u(e, 'ga4 event')", event_names, event_weights)} AS event_name,
            floor(u(e, 'ga4 second') * 86400 * 1000000)::BIGINT AS micro_of_day
        FROM range({total}) AS r(e)
        """
    )
    # Items of carts and purchases, priced from the demo's products. The product is picked
    # first and joined on its rank (a hash join; an ON over the cross product would loop).
    con.execute(
        f"""
        CREATE TEMP TABLE ga4_items AS
        WITH picks AS (
            SELECT g.e, j, floor({products} * pow(u(g.e * 4 + j, 'ga4 item'), 2.0))::BIGINT AS k
            FROM ga4_events AS g, range(3) AS r(j)
            WHERE g.event_name IN ('add_to_cart', 'purchase') AND j < 1 + floor(u(g.e, 'ga4 items') * 3)
        )
        SELECT picks.e, picks.j,
            p.product_id AS item_id,
            p.brand || ' ' || p.category AS item_name,
            p.category AS item_category,
            p.price::DOUBLE AS price,
            1 + floor(u(picks.e * 4 + picks.j, 'ga4 quantity') * 3)::BIGINT AS quantity
        FROM picks
        JOIN (SELECT product_id, brand, category, price, row_number() OVER (ORDER BY product_id) - 1 AS k
              FROM {dataset}.products) AS p
          ON p.k = picks.k
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE ga4_rows AS
        WITH baskets AS (
            SELECT e,
                list(struct_pack(item_id := item_id, item_name := item_name, item_category := item_category,
                                 price := price, quantity := quantity) ORDER BY j) AS items,
                sum(price * quantity) AS revenue, sum(quantity)::BIGINT AS quantity
            FROM ga4_items GROUP BY e
        )
        SELECT
            g.day_no,
            strftime(DATE '{first.isoformat()}' + g.day_no::INTEGER, '%Y%m%d') AS event_date,
            (epoch(DATE '{first.isoformat()}' + g.day_no::INTEGER)::BIGINT * 1000000 + g.micro_of_day)
                AS event_timestamp,
            g.event_name,
            (1000000000 + hash(g.user_no, 'ga4 pseudo', {seed}::BIGINT) % 900000000)::VARCHAR
                || '.' || (1700000000 + g.user_no)::VARCHAR AS user_pseudo_id,
            CASE WHEN u(g.user_no, 'ga4 signed in') < 0.3
                 THEN 'C' || lpad((1 + (g.user_no * 7919) % {customers})::VARCHAR, {len(str(customers))}, '0')
            END AS user_id,
            [
                struct_pack(key := 'ga_session_id', value := struct_pack(string_value := NULL::VARCHAR,
                    int_value := (1700000000 + g.day_no * 86400 + g.user_no % 86400)::BIGINT,
                    float_value := NULL::DOUBLE, double_value := NULL::DOUBLE)),
                struct_pack(key := 'page_location', value := struct_pack(
                    string_value := 'https://shop.example/' || g.event_name,
                    int_value := NULL::BIGINT, float_value := NULL::DOUBLE, double_value := NULL::DOUBLE)),
                struct_pack(key := 'engagement_time_msec', value := struct_pack(string_value := NULL::VARCHAR,
                    int_value := floor(u(g.e, 'ga4 engagement') * 60000)::BIGINT,
                    float_value := NULL::DOUBLE, double_value := NULL::DOUBLE))
            ] || CASE WHEN g.event_name = 'purchase' THEN [
                struct_pack(key := 'currency', value := struct_pack(string_value := 'USD',
                    int_value := NULL::BIGINT, float_value := NULL::DOUBLE, double_value := NULL::DOUBLE))]
                ELSE [] END AS event_params,
            struct_pack(category := {_pick("u(g.user_no, 'ga4 device')", _DEVICES, [60, 35, 5])},
                        operating_system := {_pick("u(g.user_no, 'ga4 os')", _SYSTEMS, [40, 30, 15, 12, 3])}) AS device,
            struct_pack(country := {_pick("u(g.user_no, 'ga4 country')", _COUNTRIES, _COUNTRY_WEIGHTS)}) AS geo,
            struct_pack(
                transaction_id := CASE WHEN g.event_name = 'purchase' THEN 'G' || lpad(g.e::VARCHAR, 8, '0') END,
                purchase_revenue := CASE WHEN g.event_name = 'purchase' THEN round(b.revenue, 2) END,
                total_item_quantity := CASE WHEN g.event_name = 'purchase' THEN b.quantity END
            ) AS ecommerce,
            coalesce(b.items, []) AS items
        FROM ga4_events AS g LEFT JOIN baskets AS b USING (e)
        ORDER BY g.day_no, event_timestamp, g.e
        """
    )
    names = shard_names(today, days)
    for day_no, name in enumerate(names):
        if day_no % 10 == 0:
            tell(day_no / days, f"GA4 events ({day_no} of {days} days)")
        con.execute(
            f"CREATE TABLE {dataset}.{name} AS SELECT * EXCLUDE (day_no) FROM ga4_rows WHERE day_no = {day_no} "
            "ORDER BY event_timestamp"
        )
    for temp in ("ga4_rows", "ga4_items", "ga4_events"):
        con.execute(f"DROP TABLE {temp}")
    from dataset_tui.domain import clock
    from dataset_tui.warehouse.demo import record_changes

    record_changes(con, dataset, names, clock.now())
    return names
