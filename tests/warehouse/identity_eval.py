"""Pairwise precision / recall of "same person" between the warehouse's identity map and the truth.

Over the truth identifiers that are linkable and not shared (and not bots), every unordered pair of
identifiers is "same person" in the truth when it has the same true_person_id, and predicted "same person"
when dim_customer_identifiers gives both the same person_id. The counts come from contingency tables, not
from enumerating pairs: with n_tp identifiers in (true person t, predicted person p),
    true-positive pairs  = sum over (t, p) of C(n_tp, 2)
    predicted pairs      = sum over p of C(n_p, 2)
    true pairs           = sum over t of C(n_t, 2)
precision = TP / predicted pairs, recall = TP / true pairs. PII identifiers (e-mail, phone, Amazon buyer proxy)
are raw in the truth and hashed in the warehouse: they are normalised and hashed with the same recipe and salt
as the dbt macros (hash_email / hash_phone) before the join.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

HASHED_EMAIL_TYPES = {"email", "amazon_buyer_id"}
HASHED_PHONE_TYPES = {"phone"}


def hash_value(identifier_type: str, value: str, salt: str) -> str:
    if identifier_type in HASHED_EMAIL_TYPES:
        normalised = value.strip().lower()
    elif identifier_type in HASHED_PHONE_TYPES:
        digits = re.sub(r"[^0-9]", "", value)
        normalised = f"+{digits}"
    else:
        return value
    return hashlib.sha256((salt + normalised).encode("utf-8")).hexdigest()


@dataclass
class PairwiseScore:
    precision: float
    recall: float
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    identifiers: int
    unmatched_identifiers: int


def _pairs(counts: pd.Series) -> int:
    return int((counts * (counts - 1) // 2).sum())


def truth_identifiers(truth_dir: str | Path, salt: str, *, linkable_only: bool = True) -> pd.DataFrame:
    """Truth identifiers hashed like the warehouse; never shared ones or bots. `linkable_only` (identity scoring)
    keeps only identifiers the data can bridge; the ML evaluation maps every identifier to its owner."""
    truth = pd.read_parquet(Path(truth_dir) / "identity.parquet")
    keep = ~truth["is_shared"]
    if linkable_only:
        keep &= truth["is_linkable"]
    if "is_bot" in truth.columns:
        keep &= ~truth["is_bot"]
    truth = truth.loc[keep, ["identifier_type", "identifier", "true_person_id"]].copy()
    truth["identifier"] = [hash_value(t, str(v), salt) for t, v in zip(truth["identifier_type"], truth["identifier"])]
    return truth


def score(warehouse: str | Path, truth_dir: str | Path, salt: str, table: str = "marts.dim_customer_identifiers") -> PairwiseScore:
    truth = truth_identifiers(truth_dir, salt)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        predicted = con.execute(f"select identifier_type, identifier, person_id from {table}").df()
    finally:
        con.close()
    joined = truth.merge(predicted, on=["identifier_type", "identifier"], how="left")
    unmatched = int(joined["person_id"].isna().sum())
    # an identifier the warehouse never saw is a person of its own
    joined["person_id"] = joined["person_id"].fillna("unseen:" + joined["identifier_type"] + ":" + joined["identifier"])
    tp = _pairs(joined.groupby(["true_person_id", "person_id"]).size())
    predicted_pairs = _pairs(joined.groupby("person_id").size())
    true_pairs = _pairs(joined.groupby("true_person_id").size())
    return PairwiseScore(
        precision=tp / predicted_pairs if predicted_pairs else 1.0,
        recall=tp / true_pairs if true_pairs else 1.0,
        true_positive_pairs=tp, predicted_pairs=predicted_pairs, true_pairs=true_pairs,
        identifiers=len(joined), unmatched_identifiers=unmatched,
    )
