"""Related items from co-engagement: people who finished A also finished B.

Reads the completions the analytics target records (table
analytics_completions: a user's first finish of an item), scores every pair
of items finished by the same users with the cosine similarity of their
finisher sets, keeps each item's best pairs, and replaces the table
analytics_related, which the target serves as GET /v1/media/{id}/related.

Run:  python3 related_items.py --db sqlite:///var/lib/alexandria/analytics.db
      python3 related_items.py --db postgres://user@host/db --schema analytics
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from contextlib import closing
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from sklearn.metrics.pairwise import cosine_similarity


def related(completions: pd.DataFrame, top_n: int = 10, min_common: int = 2) -> pd.DataFrame:
    """Score item pairs by shared finishers.

    completions has columns user_id and media_id (one row per user and item).
    Returns media_id, related_id, score (cosine similarity of the two items'
    finisher sets, in (0, 1]) and common (users who finished both), at most
    top_n related items per item, best first; pairs with fewer than
    min_common shared finishers are left out.
    """
    cols = ["media_id", "related_id", "score", "common"]
    if completions.empty:
        return pd.DataFrame(columns=cols)
    pairs = completions[["user_id", "media_id"]].drop_duplicates()
    matrix = pd.crosstab(pairs["user_id"], pairs["media_id"]).clip(upper=1)
    items = matrix.columns.to_numpy()
    x = matrix.to_numpy(dtype=np.float64)
    common = x.T @ x
    score = cosine_similarity(x.T)
    np.fill_diagonal(common, 0)
    rows = []
    for i, item in enumerate(items):
        candidates = np.flatnonzero(common[i] >= min_common)
        if candidates.size == 0:
            continue
        # Best first; ties by more shared finishers, then by ID for stable output.
        order = sorted(candidates, key=lambda j: (-score[i, j], -common[i, j], items[j]))[:top_n]
        rows.extend((item, items[j], float(score[i, j]), int(common[i, j])) for j in order)
    return pd.DataFrame(rows, columns=cols)


class Store:
    """The analytics target's database: SQLite file or PostgreSQL schema."""

    def __init__(self, url: str, schema: str = "analytics"):
        u = urlparse(url)
        if u.scheme == "sqlite":
            self.conn = sqlite3.connect(u.path if u.netloc == "" else u.netloc + u.path)
            self.mark = "?"
        elif u.scheme in ("postgres", "postgresql"):
            import psycopg2  # Debian python3-psycopg2; only needed for PostgreSQL

            self.conn = psycopg2.connect(url, options=f"-c search_path={schema}")
            self.mark = "%s"
        else:
            raise ValueError(f"--db: unsupported URL scheme {u.scheme!r} (sqlite:///path or postgres://…)")

    def completions(self) -> pd.DataFrame:
        with closing(self.conn.cursor()) as cur:
            cur.execute("SELECT user_id, media_id FROM analytics_completions")
            return pd.DataFrame([(str(u), str(m)) for u, m in cur.fetchall()], columns=["user_id", "media_id"])

    def replace_related(self, df: pd.DataFrame) -> int:
        """Replace every related pair in one transaction."""
        rows = [(r.media_id, r.related_id, r.score) for r in df.itertuples(index=False)]
        with closing(self.conn.cursor()) as cur:
            cur.execute("DELETE FROM analytics_related")
            if rows:
                cur.executemany(
                    f"INSERT INTO analytics_related (media_id, related_id, score) VALUES ({self.mark}, {self.mark}, {self.mark})",
                    rows,
                )
        self.conn.commit()
        return len(rows)

    def close(self) -> None:
        self.conn.close()


def run(db_url: str, schema: str = "analytics", top_n: int = 10, min_common: int = 2) -> int:
    """The job: read completions, compute, replace. Returns pairs written."""
    store = Store(db_url, schema)
    try:
        return store.replace_related(related(store.completions(), top_n=top_n, min_common=min_common))
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="sqlite:///path/analytics.db or postgres://… (the analytics target's store)")
    p.add_argument("--schema", default="analytics", help="PostgreSQL schema of the analytics target")
    p.add_argument("--top", type=int, default=10, help="related items kept per item")
    p.add_argument("--min-common", type=int, default=2, help="shared finishers a pair needs")
    a = p.parse_args(argv)
    n = run(a.db, a.schema, a.top, a.min_common)
    print(f"related items: {n} pairs written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
