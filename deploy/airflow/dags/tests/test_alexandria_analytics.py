import json
import os
import py_compile
import sqlite3
import sys
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import alexandria_analytics as dag  # noqa: E402


def test_dag_file_compiles(tmp_path):
    py_compile.compile(os.path.join(HERE, "..", "alexandria_analytics.py"), cfile=str(tmp_path / "dag.pyc"), doraise=True)


class Target(BaseHTTPRequestHandler):
    calls = []

    def do_POST(self):
        Target.calls.append((self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != "Bearer good":
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps({"written": 3, "compacted": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def target():
    srv = HTTPServer(("127.0.0.1", 0), Target)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    Target.calls = []
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


def test_compact_lake_calls_the_admin_endpoint(target):
    assert dag.compact_lake(target + "/", "good") == {"written": 3, "compacted": 1}
    assert Target.calls == [("/v1/admin/analytics/lake/compact", "Bearer good")]


def test_compact_lake_fails_on_refusal(target):
    with pytest.raises(urllib.error.HTTPError):
        dag.compact_lake(target, "bad")


def test_compact_lake_needs_settings(monkeypatch):
    monkeypatch.delenv("ALEXANDRIA_URL", raising=False)
    monkeypatch.delenv("ALEXANDRIA_ADMIN_TOKEN", raising=False)
    with pytest.raises(ValueError):
        dag.compact_lake()


def test_related_items_runs_the_job(tmp_path, monkeypatch):
    db = tmp_path / "analytics.db"
    conn = sqlite3.connect(db)
    conn.executescript(
        """
        CREATE TABLE analytics_completions (user_id TEXT, media_id TEXT, at BIGINT);
        CREATE TABLE analytics_related (media_id TEXT, related_id TEXT, score DOUBLE PRECISION);
        INSERT INTO analytics_completions VALUES ('u1', 'a', 0), ('u1', 'b', 0), ('u2', 'a', 0), ('u2', 'b', 0);
        """
    )
    conn.commit()
    conn.close()
    monkeypatch.setenv("ALEXANDRIA_ANALYTICS_DB", f"sqlite:///{db}")
    assert dag.related_items() == 2
    conn = sqlite3.connect(db)
    assert sorted(r[:2] for r in conn.execute("SELECT * FROM analytics_related")) == [("a", "b"), ("b", "a")]
    conn.close()
