"""Role suggestion and join detection, on schemas the rules were not written for."""

from __future__ import annotations

import pytest

from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.joins import detect_joins
from dataset_tui.domain.mapping import RoleMapping, UnknownTableError, suggest_mapping
from dataset_tui.domain.naming import is_join_key, singular_forms, table_entities
from dataset_tui.domain.roles import suggest_roles
from dataset_tui.domain.validation import check_against_schema

# The public "theLook" e-commerce dataset (bigquery-public-data.thelook_ecommerce),
# written down column for column: each table has its own `id` (orders: `order_id`),
# foreign keys named `<thing>_id`, several timestamps and statuses.
THELOOK: dict[str, list[tuple[str, str]]] = {
    "users": [
        ("id", "INT64"), ("first_name", "STRING"), ("last_name", "STRING"), ("email", "STRING"),
        ("age", "INT64"), ("gender", "STRING"), ("state", "STRING"), ("street_address", "STRING"),
        ("postal_code", "STRING"), ("city", "STRING"), ("country", "STRING"), ("latitude", "FLOAT64"),
        ("longitude", "FLOAT64"), ("traffic_source", "STRING"), ("created_at", "TIMESTAMP"),
        ("user_geom", "GEOGRAPHY"),
    ],
    "products": [
        ("id", "INT64"), ("cost", "FLOAT64"), ("category", "STRING"), ("name", "STRING"),
        ("brand", "STRING"), ("retail_price", "FLOAT64"), ("department", "STRING"), ("sku", "STRING"),
        ("distribution_center_id", "INT64"),
    ],
    "orders": [
        ("order_id", "INT64"), ("user_id", "INT64"), ("status", "STRING"), ("gender", "STRING"),
        ("created_at", "TIMESTAMP"), ("returned_at", "TIMESTAMP"), ("shipped_at", "TIMESTAMP"),
        ("delivered_at", "TIMESTAMP"), ("num_of_item", "INT64"),
    ],
    "order_items": [
        ("id", "INT64"), ("order_id", "INT64"), ("user_id", "INT64"), ("product_id", "INT64"),
        ("inventory_item_id", "INT64"), ("status", "STRING"), ("created_at", "TIMESTAMP"),
        ("shipped_at", "TIMESTAMP"), ("delivered_at", "TIMESTAMP"), ("returned_at", "TIMESTAMP"),
        ("sale_price", "FLOAT64"),
    ],
    "events": [
        ("id", "INT64"), ("user_id", "INT64"), ("sequence_number", "INT64"), ("session_id", "STRING"),
        ("created_at", "TIMESTAMP"), ("ip_address", "STRING"), ("city", "STRING"), ("state", "STRING"),
        ("postal_code", "STRING"), ("browser", "STRING"), ("traffic_source", "STRING"), ("uri", "STRING"),
        ("event_type", "STRING"),
    ],
    "inventory_items": [
        ("id", "INT64"), ("product_id", "INT64"), ("created_at", "TIMESTAMP"), ("sold_at", "TIMESTAMP"),
        ("cost", "FLOAT64"), ("product_category", "STRING"), ("product_name", "STRING"),
        ("product_brand", "STRING"), ("product_retail_price", "FLOAT64"), ("product_department", "STRING"),
        ("product_sku", "STRING"), ("product_distribution_center_id", "INT64"),
    ],
    "distribution_centers": [
        ("id", "INT64"), ("name", "STRING"), ("latitude", "FLOAT64"), ("longitude", "FLOAT64"),
        ("distribution_center_geom", "GEOGRAPHY"),
    ],
}

# The demo warehouse (DESIGN §6); its fourth table is `returns`.
DEMO: dict[str, list[tuple[str, str]]] = {
    "transactions": [
        ("transaction_id", "STRING"), ("customer_id", "STRING"), ("product_id", "STRING"),
        ("ts", "TIMESTAMP"), ("amount", "NUMERIC"), ("quantity", "INT64"), ("channel", "STRING"),
    ],
    "customers": [("customer_id", "STRING"), ("signup_date", "DATE"), ("country", "STRING"), ("segment", "STRING")],
    "products": [("product_id", "STRING"), ("category", "STRING"), ("brand", "STRING"), ("price", "NUMERIC")],
}
RETURNS = [
    ("return_id", "STRING"), ("transaction_id", "STRING"), ("customer_id", "STRING"), ("returned_at", "TIMESTAMP"),
    ("reason", "STRING"), ("refund_amount", "NUMERIC"),
]
SESSIONS = [
    ("session_id", "STRING"), ("customer_id", "STRING"), ("started_at", "TIMESTAMP"),
    ("pages", "INT64"), ("device", "STRING"),
]


def roles_of(table: str, columns: list[tuple[str, str]]) -> dict[str, str]:
    return {s.role: s.column for s in suggest_roles(table, columns)}


def pairs(joins) -> set[tuple[str, str]]:
    return {(f"{j.left_table}.{j.left_column}", f"{j.right_table}.{j.right_column}") for j in joins}


def types_of(schemas) -> dict[str, dict[str, str]]:
    return {t: dict(cols) for t, cols in schemas.items()}


# -- theLook ---------------------------------------------------------------------


def test_thelook_roles_per_table():
    assert roles_of("order_items", THELOOK["order_items"]) == {
        "user_id": "user_id", "product_id": "product_id", "timestamp": "created_at", "revenue": "sale_price",
    }
    # A dimension's own key is its entity's id; the product's sku is not preferred over it.
    assert roles_of("users", THELOOK["users"])["user_id"] == "id"
    assert roles_of("products", THELOOK["products"])["product_id"] == "id"
    events = roles_of("events", THELOOK["events"])
    assert events == {"user_id": "user_id", "timestamp": "created_at"}  # no product, no money
    orders = roles_of("orders", THELOOK["orders"])
    assert orders == {"user_id": "user_id", "timestamp": "created_at"}  # num_of_item is a count
    assert roles_of("distribution_centers", THELOOK["distribution_centers"]) == {}


def test_thelook_later_lifecycle_times_are_not_the_event_time():
    for table in ("orders", "order_items"):
        chosen = roles_of(table, THELOOK[table])["timestamp"]
        assert chosen == "created_at", table


def test_thelook_list_price_is_a_weak_revenue_and_cost_weaker():
    products = {s.role: s for s in suggest_roles("products", THELOOK["products"])}
    assert products["revenue"].column == "retail_price"
    assert products["revenue"].confidence < 0.75  # a list price, not what was paid
    sale = {s.role: s for s in suggest_roles("order_items", THELOOK["order_items"])}["revenue"]
    assert sale.confidence > products["revenue"].confidence


THELOOK_FOREIGN_KEYS = {
    ("order_items.user_id", "users.id"),
    ("order_items.product_id", "products.id"),
    ("order_items.order_id", "orders.order_id"),
    ("order_items.inventory_item_id", "inventory_items.id"),
    ("orders.user_id", "users.id"),
    ("events.user_id", "users.id"),
    ("inventory_items.product_id", "products.id"),
    ("products.distribution_center_id", "distribution_centers.id"),
    ("inventory_items.product_distribution_center_id", "distribution_centers.id"),
}


def test_thelook_joins_a_data_engineer_would_pick():
    joins = detect_joins(THELOOK)
    high = [j for j in joins if j.confidence == "high"]
    assert pairs(high) == THELOOK_FOREIGN_KEYS
    assert all(j.many_to_one for j in high)
    # The product's sku is a key too, but maybe not unique: medium.
    sku = [j for j in joins if j.left_column == "product_sku"]
    assert pairs(sku) == {("inventory_items.product_sku", "products.sku")}
    assert sku[0].confidence == "medium"


def test_thelook_shared_foreign_keys_are_low_and_ranked_last():
    joins = detect_joins(THELOOK)
    shared = [j for j in joins if not j.many_to_one]
    assert {frozenset(p) for p in pairs(shared)} >= {
        frozenset({"orders.user_id", "events.user_id"}),
        frozenset({"orders.user_id", "order_items.user_id"}),
        frozenset({"order_items.product_id", "inventory_items.product_id"}),
    }
    # users and products are at hand, so joining through them is preferred.
    assert all(j.confidence == "low" for j in shared)
    assert min(j.score for j in joins if j.many_to_one) > max(j.score for j in shared)
    scores = [j.score for j in joins]
    assert scores == sorted(scores, reverse=True)


def test_thelook_no_false_joins():
    joins = detect_joins(THELOOK)
    types = types_of(THELOOK)
    for j in joins:
        left_type = types[j.left_table][j.left_column]
        right_type = types[j.right_table][j.right_column]
        assert left_type == right_type, j  # never STRING ↔ INT64
        assert not (j.left_column == "id" and j.right_column == "id"), j
        assert j.left_table != j.right_table
        for table, column in ((j.left_table, j.left_column), (j.right_table, j.right_column)):
            assert is_join_key(table, column, types[table][column]), j
    used = {j.left_column for j in joins} | {j.right_column for j in joins}
    for attribute in ("created_at", "shipped_at", "status", "name", "postal_code", "city", "state",
                      "traffic_source", "session_id", "gender", "cost", "sale_price", "email"):
        assert attribute not in used
    # Each column pair at most once.
    keys = [frozenset({(j.left_table, j.left_column), (j.right_table, j.right_column)}) for j in joins]
    assert len(keys) == len(set(keys))


def test_thelook_join_keys_flag():
    flagged = {
        (t, c) for t, cols in THELOOK.items() for c, ty in cols if is_join_key(t, c, ty)
    }
    assert ("order_items", "inventory_item_id") in flagged
    assert ("orders", "order_id") in flagged
    assert ("products", "sku") in flagged
    for not_key in (("users", "postal_code"), ("events", "postal_code"), ("orders", "status"),
                    ("order_items", "created_at"), ("events", "sequence_number"), ("products", "name")):
        assert not_key not in flagged


def test_thelook_types_must_match():
    changed = dict(THELOOK)
    changed["users"] = [("id", "STRING") if c == "id" else (c, t) for c, t in THELOOK["users"]]
    found = pairs(detect_joins(changed))
    assert not any(right == "users.id" for _, right in found)
    # The other foreign keys are unaffected.
    assert ("order_items.product_id", "products.id") in found


def test_thelook_mapping():
    mapping = suggest_mapping(THELOOK)
    assert mapping.primary == "order_items"
    assert {r: (s.table, s.column) for r, s in mapping.roles.items()} == {
        "user_id": ("order_items", "user_id"),
        "product_id": ("order_items", "product_id"),
        "timestamp": ("order_items", "created_at"),
        "revenue": ("order_items", "sale_price"),
    }
    joined = {mapping.primary} | {j.right_table for j in mapping.joins}
    assert joined == set(THELOOK)
    assert mapping.unjoined == ()
    many_to_one = pairs(j for j in mapping.joins if j.many_to_one)
    assert many_to_one >= {
        ("order_items.user_id", "users.id"),
        ("order_items.product_id", "products.id"),
        ("order_items.order_id", "orders.order_id"),
        ("order_items.inventory_item_id", "inventory_items.id"),
        ("products.distribution_center_id", "distribution_centers.id"),
    }
    # events has no key the order lines reference: it can only fan out, and the mapping says so.
    fan_out = [j for j in mapping.joins if not j.many_to_one]
    assert [j.right_table for j in fan_out] == ["events"]
    assert any("events" in w and "repeats" in w for w in mapping.warnings)


def test_mapping_builds_a_valid_definition():
    """The mapping's joins are in definition order: every left side is already joined."""
    mapping = suggest_mapping(THELOOK)
    seen = {mapping.primary}
    joins = []
    for j in mapping.joins:
        assert j.left_table in seen and j.right_table not in seen
        seen.add(j.right_table)
        on = {"left": f"{j.left_table}.{j.left_column}", "right": f"{j.right_table}.{j.right_column}"}
        joins.append({"table": j.right_table, "type": "left", "on": [on]})
    types = types_of(THELOOK)
    definition = parse_definition({
        "format": "dataset-tui/1",
        "name": "thelook",
        "source": {"dataset": "thelook_ecommerce", "primary": mapping.primary, "joins": joins},
        "columns": [
            {"table": s.table, "name": s.column, "role": role, "type": types[s.table][s.column]}
            for role, s in mapping.roles.items()
        ],
        "split": {"type": "random", "train_percent": 80},
    })
    assert check_against_schema(definition, types) == []


def test_mapping_to_dict_is_plain_json():
    import json

    data = suggest_mapping(DEMO).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"primary", "roles", "joins", "unjoined", "warnings"}
    assert set(data["joins"][0]) >= {"left_table", "left_column", "right_table", "right_column", "score", "confidence"}


# -- the demo warehouse -----------------------------------------------------------------


def test_demo_roles_and_joins():
    joins = detect_joins(DEMO)
    assert pairs(joins) == {
        ("transactions.customer_id", "customers.customer_id"),
        ("transactions.product_id", "products.product_id"),
    }
    assert all(j.confidence == "high" and j.many_to_one for j in joins)
    mapping = suggest_mapping(DEMO)
    assert mapping.primary == "transactions"
    assert {r: (s.table, s.column) for r, s in mapping.roles.items()} == {
        "user_id": ("transactions", "customer_id"),
        "product_id": ("transactions", "product_id"),
        "timestamp": ("transactions", "ts"),  # not customers.signup_date
        "revenue": ("transactions", "amount"),  # not products.price
    }
    assert pairs(mapping.joins) == pairs(joins)
    assert mapping.warnings == ()


def test_demo_signup_date_is_a_weak_timestamp_of_its_own_table():
    customers = {s.role: s for s in suggest_roles("customers", DEMO["customers"])}
    assert customers["timestamp"].column == "signup_date"
    transactions = {s.role: s for s in suggest_roles("transactions", DEMO["transactions"])}
    assert transactions["timestamp"].confidence > customers["timestamp"].confidence + 0.3


@pytest.mark.parametrize("extra_name, extra", [("returns", RETURNS), ("sessions", SESSIONS)])
def test_demo_with_a_fourth_table(extra_name, extra):
    schemas = {**DEMO, extra_name: extra}
    mapping = suggest_mapping(schemas)
    assert mapping.primary == "transactions"
    assert mapping.roles["timestamp"].column == "ts"
    assert mapping.roles["revenue"].column == "amount"
    high = pairs(j for j in detect_joins(schemas) if j.confidence == "high")
    assert ("transactions.customer_id", "customers.customer_id") in high
    assert ("transactions.product_id", "products.product_id") in high
    if extra_name == "returns":
        assert ("returns.transaction_id", "transactions.transaction_id") in high
        assert ("returns.customer_id", "customers.customer_id") in high
        # Hung off the primary by its own key, not through the customers.
        (to_returns,) = [j for j in mapping.joins if j.right_table == "returns"]
        assert (to_returns.left_table, to_returns.left_column) == ("transactions", "transaction_id")
        assert roles_of("returns", RETURNS)["timestamp"] == "returned_at"  # a returns table's own event
    else:
        assert ("sessions.customer_id", "customers.customer_id") in high
    # The extra table hangs off the primary one-to-many: joined, with a warning.
    assert any(extra_name in w for w in mapping.warnings)


def test_explicit_primary_and_unknown_table():
    mapping = suggest_mapping(DEMO, primary="CUSTOMERS")
    assert mapping.primary == "customers"
    assert mapping.roles["user_id"].table == "customers"
    with pytest.raises(UnknownTableError, match="orders"):
        suggest_mapping(DEMO, primary="orders")
    with pytest.raises(UnknownTableError):
        suggest_mapping({})


# -- other namings ------------------------------------------------------------------------


def test_client_ref_and_article_naming():
    schemas = {
        "purchases": [
            ("purchase_id", "STRING"), ("client_ref", "STRING"), ("article_id", "STRING"),
            ("purchased_at", "DATETIME"), ("gross_amount", "NUMERIC"), ("vat_amount", "NUMERIC"),
        ],
        "clients": [("client_ref", "STRING"), ("name", "STRING"), ("created_on", "DATE")],
        "articles": [("article_id", "STRING"), ("title", "STRING"), ("list_price", "NUMERIC")],
    }
    assert roles_of("purchases", schemas["purchases"]) == {
        "user_id": "client_ref", "product_id": "article_id", "timestamp": "purchased_at", "revenue": "gross_amount",
    }
    high = pairs(j for j in detect_joins(schemas) if j.confidence == "high")
    assert high == {("purchases.client_ref", "clients.client_ref"), ("purchases.article_id", "articles.article_id")}
    assert suggest_mapping(schemas).primary == "purchases"


def test_account_and_camel_case_naming():
    schemas = {
        "events": [("eventId", "INT64"), ("accountId", "INT64"), ("itemSku", "STRING"), ("eventTime", "TIMESTAMP")],
        "accounts": [("id", "INT64"), ("plan", "STRING"), ("signupAt", "TIMESTAMP")],
    }
    assert roles_of("events", schemas["events"]) == {
        "user_id": "accountId", "product_id": "itemSku", "timestamp": "eventTime",
    }
    assert pairs(detect_joins(schemas)) == {("events.accountId", "accounts.id")}


def test_glued_names_and_integer_unix_times():
    # Retail-Rocket style: ids glued to `id`, a timestamp stored as INT64 milliseconds.
    events = [("timestamp", "INT64"), ("visitorid", "INT64"), ("event", "STRING"),
              ("itemid", "INT64"), ("transactionid", "INT64")]
    assert roles_of("events", events) == {"user_id": "visitorid", "product_id": "itemid"}
    assert is_join_key("events", "transactionid", "INT64")
    assert not is_join_key("events", "timestamp", "INT64")
    # The table's own name teaches a glued word: visits.visitid is visit + id.
    assert is_join_key("visits", "visitid", "STRING")


def test_analytics_export_naming():
    # A Google Analytics 4 export: the user is `user_pseudo_id`; its times are INT64 microseconds.
    events = [("event_date", "STRING"), ("event_timestamp", "INT64"), ("event_name", "STRING"),
              ("user_pseudo_id", "STRING"), ("user_id", "STRING"), ("items", "ARRAY<STRUCT<item_id STRING>>"),
              ("ecommerce.purchase_revenue", "FLOAT64")]
    suggestions = {s.role: s for s in suggest_roles("events_20240101", events)}
    # GA4 is recognised by its column names: its roles are known, with how to read them.
    assert suggestions["user_id"].column == "user_pseudo_id"
    assert (suggestions["timestamp"].column, suggestions["timestamp"].unit) == ("event_timestamp", "micros")
    assert (suggestions["product_id"].column, suggestions["product_id"].unnest) == ("items.item_id", "items")
    # items has no price here, so revenue keeps the name-based guess.
    assert suggestions["revenue"].column == "ecommerce.purchase_revenue"
    with_price = [*events[:5], ("items", "ARRAY<STRUCT<item_id STRING, price FLOAT64, quantity INT64>>")]
    priced = {s.role: s for s in suggest_roles("events_20240101", with_price)}
    assert (priced["revenue"].column, priced["revenue"].unnest) == ("items.price", "items")
    assert priced["revenue"].to_dict()["unnest"] == "items"
    # Without GA4's marker columns, an INT64 is no timestamp and an ARRAY no id.
    plain = {s.role: s for s in suggest_roles("events", [("user_id", "STRING"), ("event_timestamp", "INT64")])}
    assert set(plain) == {"user_id"}
    assert roles_of("events", [("user_pseudo_id", "STRING")]) == {"user_id": "user_pseudo_id"}
    # STRUCT fields can play roles but never join (a join names plain columns).
    assert roles_of("hits", [("device.user_id", "STRING")]) == {"user_id": "device.user_id"}
    assert not is_join_key("hits", "device.user_id", "STRING")
    assert detect_joins({"hits": [("device.user_id", "STRING")], "users": [("id", "STRING")]}) == []


def test_sku_table_and_kimball_keys():
    schemas = {
        "fact_sales": [
            ("sale_id", "INT64"), ("sku", "STRING"), ("customer_key", "INT64"),
            ("sold_at", "TIMESTAMP"), ("net_sales", "NUMERIC"), ("discount", "NUMERIC"),
        ],
        "skus": [("sku", "STRING"), ("product_name", "STRING"), ("price", "NUMERIC")],
        "dim_customer": [("customer_key", "INT64"), ("name", "STRING"), ("created_at", "TIMESTAMP")],
    }
    assert roles_of("fact_sales", schemas["fact_sales"]) == {
        "user_id": "customer_key", "product_id": "sku", "timestamp": "sold_at", "revenue": "net_sales",
    }
    joins = detect_joins(schemas)
    assert {(p, j.confidence) for j in joins for p in pairs([j])} == {
        (("fact_sales.customer_key", "dim_customer.customer_key"), "high"),
        (("fact_sales.sku", "skus.sku"), "high"),
    }
    assert suggest_mapping(schemas).primary == "fact_sales"


def test_irregular_plurals_and_qualified_foreign_keys():
    schemas = {
        "categories": [("id", "INT64"), ("name", "STRING"), ("parent_category_id", "INT64")],
        "addresses": [("id", "STRING"), ("city", "STRING")],
        "people": [("id", "INT64"), ("billing_address_id", "STRING"), ("name", "STRING")],
        "products": [("id", "INT64"), ("category_id", "INT64"), ("name", "STRING")],
    }
    found = {p: j for j in detect_joins(schemas) for p in pairs([j])}
    assert found[("products.category_id", "categories.id")].confidence == "high"
    billing = found[("people.billing_address_id", "addresses.id")]
    assert billing.confidence == "high" and billing.score < found[("products.category_id", "categories.id")].score
    # A self-reference is not a join between tables; id = id never is.
    assert all(j.left_table != j.right_table for j in found.values())
    assert len(found) == 2
    assert roles_of("people", schemas["people"])["user_id"] == "id"


def test_shared_key_without_its_own_table_is_medium():
    schemas = {
        "pageviews": [("session_id", "STRING"), ("url", "STRING"), ("viewed_at", "TIMESTAMP")],
        "clicks": [("session_id", "STRING"), ("target", "STRING"), ("clicked_at", "TIMESTAMP")],
    }
    (join,) = detect_joins(schemas)
    assert join.confidence == "medium" and not join.many_to_one


# -- negatives ---------------------------------------------------------------------------------


def test_types_decide_roles():
    columns = [("user_id", "FLOAT64"), ("product_id", "BOOL"), ("created_at", "STRING"),
               ("amount", "STRING"), ("price_id", "INT64")]
    assert suggest_roles("t", columns) == []


def test_legacy_type_names_are_understood():
    columns = [("user_id", "INTEGER"), ("created_at", "TIMESTAMP"), ("amount", "FLOAT"), ("total", "NUMERIC(12, 2)")]
    assert roles_of("t", columns) == {"user_id": "user_id", "timestamp": "created_at", "revenue": "amount"}


def test_no_joins_on_ids_statuses_times_or_attributes():
    schemas = {
        "a": [("id", "INT64"), ("status", "STRING"), ("status_code", "STRING"), ("postal_code", "STRING"),
              ("name", "STRING"), ("created_at", "TIMESTAMP"), ("code", "STRING")],
        "b": [("id", "INT64"), ("status", "STRING"), ("status_code", "STRING"), ("postal_code", "STRING"),
              ("name", "STRING"), ("created_at", "TIMESTAMP"), ("code", "STRING")],
    }
    assert detect_joins(schemas) == []


def test_string_int_foreign_key_never_joins():
    schemas = {
        "orders": [("id", "INT64"), ("user_id", "STRING")],
        "users": [("id", "INT64")],
        "events": [("user_id", "INT64")],
    }
    assert pairs(detect_joins(schemas)) == {("events.user_id", "users.id")}


def test_who_is_acting_and_what_is_a_product():
    columns = [("created_by_user_id", "STRING"), ("customer_id", "STRING"), ("order_item_id", "STRING"),
               ("product_id", "STRING")]
    assert roles_of("t", columns) == {"user_id": "customer_id", "product_id": "product_id"}
    # Alone, an order line is not a product and an author is only a weak user.
    assert roles_of("t", [("order_item_id", "STRING")]) == {}
    weak = suggest_roles("t", [("created_by_user_id", "STRING")])
    assert weak and weak[0].confidence < 0.5


def test_money_that_is_not_revenue_ranks_below_revenue():
    columns = [("tax_amount", "NUMERIC"), ("refund_amount", "NUMERIC"), ("amount", "NUMERIC")]
    assert roles_of("t", columns)["revenue"] == "amount"
    alone = suggest_roles("t", [("refund_amount", "NUMERIC")])
    assert alone and alone[0].confidence < 0.5


def test_load_times_are_never_the_timestamp():
    assert roles_of("t", [("_loaded_at", "TIMESTAMP"), ("etl_ingested_at", "TIMESTAMP")]) == {}
    assert roles_of("t", [("updated_at", "TIMESTAMP"), ("created_at", "TIMESTAMP")])["timestamp"] == "created_at"


def test_one_column_per_role_and_one_role_per_column():
    columns = [("user_id", "STRING"), ("customer_id", "STRING"), ("ts", "TIMESTAMP"), ("event_time", "TIMESTAMP")]
    suggestions = suggest_roles("t", columns)
    assert [s.role for s in suggestions] == ["user_id", "timestamp"]
    assert len({s.column for s in suggestions}) == len(suggestions)
    assert all(0 <= s.confidence <= 1 and s.reason for s in suggestions)


def test_unjoined_table_is_reported():
    schemas = {**DEMO, "weather": [("day", "DATE"), ("temperature", "FLOAT64")]}
    mapping = suggest_mapping(schemas)
    assert isinstance(mapping, RoleMapping)
    assert mapping.unjoined == ("weather",)
    assert any("weather" in w for w in mapping.warnings)
    assert all(s.table != "weather" for s in mapping.roles.values())


def test_singular_forms():
    assert "category" in singular_forms("categories")
    assert "address" in singular_forms("addresses")
    assert "status" in singular_forms("statuses")
    assert "person" in singular_forms("people")
    assert "course" in singular_forms("courses")
    assert "user" in singular_forms("users")
    assert "sku" in singular_forms("skus")
    assert singular_forms("address") == {"address"}
    assert "order_item" in table_entities("order_items")
    assert "customer" in table_entities("dim_customers")
