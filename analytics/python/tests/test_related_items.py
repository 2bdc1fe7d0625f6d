import os
import sqlite3
import sys

import pandas as pd
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import related_items  # noqa: E402

A, B, C, D = "a" * 8, "b" * 8, "c" * 8, "d" * 8


def completions(rows):
    return pd.DataFrame(rows, columns=["user_id", "media_id"])


def test_pairs_scored_by_shared_finishers():
    # u1..u3 finished A and B; u3 also C; u4 only D.
    df = completions([("u1", A), ("u1", B), ("u2", A), ("u2", B), ("u3", A), ("u3", B), ("u3", C), ("u4", D)])
    out = related_items.related(df, top_n=5, min_common=1)
    got = {(r.media_id, r.related_id): (round(r.score, 6), r.common) for r in out.itertuples()}
    assert got[(A, B)] == (1.0, 3)
    assert got[(B, A)] == (1.0, 3)
    # A and C: 1 shared of 3 and 1 finishers: 1/sqrt(3).
    assert got[(A, C)] == (round(1 / 3**0.5, 6), 1)
    assert (A, D) not in got and (D, A) not in got
    assert all(m != r for m, r in got)
    # Best first per item.
    assert list(out[out.media_id == A].related_id) == [B, C]


def test_min_common_and_top_n():
    df = completions([("u1", A), ("u1", B), ("u2", A), ("u2", B), ("u1", C)])
    out = related_items.related(df, top_n=1, min_common=2)
    assert set(zip(out.media_id, out.related_id)) == {(A, B), (B, A)}
    assert related_items.related(completions([]), top_n=3).empty


def test_duplicates_count_once():
    df = completions([("u1", A), ("u1", A), ("u1", B)])
    out = related_items.related(df, min_common=1)
    assert list(out.common) == [1, 1]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "analytics.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE analytics_completions (user_id TEXT, media_id TEXT, at BIGINT, PRIMARY KEY (user_id, media_id));
        CREATE TABLE analytics_related (media_id TEXT, related_id TEXT, score DOUBLE PRECISION, PRIMARY KEY (media_id, related_id));
        INSERT INTO analytics_related VALUES ('stale', 'stale', 1);
        """
    )
    conn.executemany(
        "INSERT INTO analytics_completions VALUES (?, ?, 0)",
        [("u1", A), ("u1", B), ("u2", A), ("u2", B), ("u3", C)],
    )
    conn.commit()
    conn.close()
    return path


def test_job_replaces_related_table(db):
    n = related_items.run(f"sqlite:///{db}", min_common=2)
    assert n == 2
    conn = sqlite3.connect(db)
    rows = sorted(conn.execute("SELECT media_id, related_id, score FROM analytics_related"))
    conn.close()
    assert rows == [(A, B, pytest.approx(1.0)), (B, A, pytest.approx(1.0))]


def test_main_rejects_unknown_database():
    with pytest.raises(ValueError):
        related_items.main(["--db", "mysql://x/y"])
