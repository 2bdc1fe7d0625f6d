"""Airflow DAG: Alexandria's analytics batch work.

Hourly: compact the Parquet lake (the analytics target writes staged events
and merges each closed hour's small files into one), then recompute related
items from co-engagement (analytics/python/related_items.py).

Settings (Airflow Variables, falling back to the environment):
  alexandria_url          ALEXANDRIA_URL              the platform's base URL
  alexandria_admin_token  ALEXANDRIA_ADMIN_TOKEN      an admin access token
  alexandria_analytics_db ALEXANDRIA_ANALYTICS_DB     sqlite:///…/analytics.db or postgres://…
  alexandria_python_dir   ALEXANDRIA_ANALYTICS_PYTHON directory of related_items.py

The task functions do not need Airflow, so they are tested without it.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from datetime import datetime, timedelta

DEFAULT_PYTHON_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "analytics", "python")


def setting(name: str, env: str, default: str | None = None) -> str | None:
    """An Airflow Variable when Airflow is there, else the environment."""
    try:
        from airflow.models import Variable

        value = Variable.get(name, default_var=None)
        if value:
            return value
    except Exception:  # no Airflow, or no metadata database
        pass
    return os.environ.get(env, default)


def compact_lake(base_url: str | None = None, token: str | None = None, timeout: float = 120) -> dict:
    """Ask the analytics target to flush and compact its lake now."""
    base_url = base_url or setting("alexandria_url", "ALEXANDRIA_URL")
    token = token or setting("alexandria_admin_token", "ALEXANDRIA_ADMIN_TOKEN")
    if not base_url or not token:
        raise ValueError("compact_lake: set alexandria_url and alexandria_admin_token")
    req = urllib.request.Request(
        base_url.rstrip("/") + "/v1/admin/analytics/lake/compact",
        method="POST",
        headers={"Authorization": "Bearer " + token, "Accept": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # raises HTTPError on 4xx/5xx
        return json.load(resp)


def related_items(db_url: str | None = None, python_dir: str | None = None, schema: str = "analytics") -> int:
    """Recompute related items; returns the pairs written."""
    db_url = db_url or setting("alexandria_analytics_db", "ALEXANDRIA_ANALYTICS_DB")
    if not db_url:
        raise ValueError("related_items: set alexandria_analytics_db")
    python_dir = python_dir or setting("alexandria_python_dir", "ALEXANDRIA_ANALYTICS_PYTHON", DEFAULT_PYTHON_DIR)
    if python_dir not in sys.path:
        sys.path.insert(0, python_dir)
    import related_items as job

    return job.run(db_url, schema=schema)


try:
    from airflow import DAG
    from airflow.operators.python import PythonOperator
except ImportError:  # the task functions stay importable and testable
    DAG = None

if DAG is not None:
    with DAG(
        dag_id="alexandria_analytics",
        description="Lake compaction and related items",
        schedule="@hourly",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
        tags=["alexandria", "analytics"],
    ) as dag:
        compact = PythonOperator(task_id="compact_lake", python_callable=compact_lake)
        related = PythonOperator(task_id="related_items", python_callable=related_items)
        compact >> related
