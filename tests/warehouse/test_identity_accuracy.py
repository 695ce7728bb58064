"""Identity stitching against the simulator's truth (issue #3, evaluation).

Over the identifiers that are linkable and not shared, pairwise precision and recall of "same person" must
both be at least 0.99. The computation uses contingency counts (identity_eval.score), never all pairs.
"""
from __future__ import annotations

import pytest

from identity_eval import score

THRESHOLD = 0.99


def _assert_accurate(market) -> None:
    result = score(market.warehouse, market.truth_dir, market.salt)
    print(f"identity: precision={result.precision:.4f} recall={result.recall:.4f} "
          f"identifiers={result.identifiers} true_pairs={result.true_pairs} predicted_pairs={result.predicted_pairs}")
    assert result.identifiers > 100, "too few evaluable identifiers: is the truth empty?"
    assert result.unmatched_identifiers == 0, "truth identifiers missing from dim_customer_identifiers"
    assert result.precision >= THRESHOLD, result
    assert result.recall >= THRESHOLD, result


def test_identity_pairwise_precision_and_recall_on_small_market(warehouse_market):
    _assert_accurate(warehouse_market)


@pytest.mark.accuracy
def test_identity_pairwise_precision_and_recall_on_demo_market(demo_market):
    _assert_accurate(demo_market)


def test_pairwise_score_counts_pairs_from_contingency_tables(tmp_path):
    """Three true people; the prediction merges two of them and splits one: exact pair counts."""
    import duckdb
    import pandas as pd

    truth = pd.DataFrame({
        "identifier_type": ["cookie"] * 6,
        "identifier": ["a", "b", "c", "d", "e", "f"],
        "true_person_id": ["P1", "P1", "P2", "P2", "P3", "P3"],
        "is_shared": [False] * 6,
        "is_linkable": [True] * 6,
    })
    (tmp_path / "truth").mkdir()
    truth.to_parquet(tmp_path / "truth" / "identity.parquet")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute("""create table marts.dim_customer_identifiers as select * from (values
        ('cookie', 'a', 'x'), ('cookie', 'b', 'x'), ('cookie', 'c', 'x'), ('cookie', 'd', 'x'),
        ('cookie', 'e', 'y'), ('cookie', 'f', 'z')) t(identifier_type, identifier, person_id)""")
    con.close()
    result = score(tmp_path / "w.duckdb", tmp_path / "truth", "salt")
    # predicted pairs: C(4,2)=6 in x; true-positive pairs: (a,b) and (c,d); true pairs: 3
    assert (result.true_positive_pairs, result.predicted_pairs, result.true_pairs) == (2, 6, 3)
    assert result.precision == pytest.approx(2 / 6)
    assert result.recall == pytest.approx(2 / 3)
