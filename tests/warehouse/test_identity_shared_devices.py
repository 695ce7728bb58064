"""The super-identifier cap: a shared household device must not merge the people who share it."""
from __future__ import annotations

import duckdb
import pandas as pd

from conftest import copy_market, run_dbt
from identity_eval import hash_value


def _identity(market) -> pd.DataFrame:
    con = duckdb.connect(str(market.warehouse), read_only=True)
    try:
        return con.execute(
            "select identifier_type, identifier, person_id, is_super_identifier from marts.dim_customer_identifiers"
        ).df()
    finally:
        con.close()


def test_shared_devices_in_the_simulated_market_do_not_merge_people(warehouse_market):
    truth = pd.read_parquet(warehouse_market.truth_dir / "identity.parquet")
    truth = truth[~truth.get("is_bot", False)] if "is_bot" in truth else truth
    shared = truth[truth["is_shared"]]
    sharers = shared.groupby(["identifier_type", "identifier"])["true_person_id"].apply(set)
    own = truth[~truth["is_shared"]].copy()
    own["identifier"] = [hash_value(t, str(v), warehouse_market.salt) for t, v in zip(own["identifier_type"], own["identifier"])]
    predicted = own.merge(_identity(warehouse_market), on=["identifier_type", "identifier"])
    people_per_predicted = predicted.groupby("person_id")["true_person_id"].nunique()
    for people in sharers:
        if len(people) < 2:
            continue
        persons = predicted[predicted["true_person_id"].isin(people)]["person_id"].unique()
        merged = people_per_predicted[people_per_predicted.index.isin(persons)]
        assert (merged <= 1).all(), f"people sharing a device were merged: {sorted(people)}"


def test_planted_household_tablet_is_capped_and_keeps_two_people_apart(warehouse_market, tmp_path):
    """Two existing customers log in on one new tablet: it becomes a super identifier and they stay apart."""
    market = copy_market(warehouse_market, tmp_path)
    con = duckdb.connect(str(market.warehouse))
    customers = con.execute(
        "select distinct login_user_id from staging.stg_web_events__events where login_user_id is not null "
        "order by login_user_id limit 2"
    ).fetchall()
    assert len(customers) == 2
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw_web_events' "
        "and table_name = 'events'").fetchall()]
    template = con.execute("select * from raw_web_events.events where user_id is not null limit 1").df()
    rows = []
    for i, (login,) in enumerate(customers):
        row = template.iloc[0].copy()
        row["event_id"] = f"planted_tablet_{i}"
        row["event_name"] = "login"
        row["anonymous_id"] = "c_planted_household_tablet"
        row["user_id"] = login
        if "_dlt_id" in row:
            row["_dlt_id"] = f"planted_tablet_{i}"
        rows.append(row)
    planted = pd.DataFrame(rows)[columns]
    con.register("planted", planted)
    con.execute("insert into raw_web_events.events select * from planted")
    con.close()
    run_dbt(["run", "--select", "int_identity__identifier_sightings+"], market.warehouse, market.workdir,
            market.as_of_date)
    identity = _identity(market)
    tablet = identity[identity["identifier"] == "c_planted_household_tablet"]
    assert len(tablet) == 1 and bool(tablet["is_super_identifier"].iloc[0])
    logins = identity[identity["identifier"].isin([c[0] for c in customers])]
    assert logins["person_id"].nunique() == 2
