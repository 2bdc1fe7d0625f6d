"""Alexandria's load mix for Locust (Debian's python3-locust, 2.12).

The journeys are weighted as real traffic is: most people browse and search
anonymously, fewer read signed in, a few publish, and a very few moderate.

  AnonymousVisitor  (weight 50)  lists, filters, opens items, searches,
                                 suggests, reads feeds, downloads files,
                                 records views
  Reader            (weight 30)  signs up and in, then home feed, follows,
                                 likes, views, reading progress,
                                 notifications, the odd report
  ImpatientClient   (4 %)        gives up on searches and lists after a few
                                 milliseconds: cancelled requests must be
                                 499s, never 5xx (bench/locust/run.sh checks
                                 /metrics after the run)
  Author            (5 %)        signs up, is made an author by the
                                 administrator, creates an author profile and
                                 media, uploads small text files with tus,
                                 waits for processing, publishes, edits with
                                 If-Match
  Admin             (one)        the reports queue (dismisses what readers
                                 filed), every service's dead letters, users

Everything it needs is made through the public API at test start: the
administrator (ALEXANDRIA_ADMIN_EMAIL / ALEXANDRIA_ADMIN_PASSWORD, the same
variables the binary reads on its first start) grants a seed account the
author role, which publishes SEED_ITEMS text documents. Every answer that is
not the one a correct client expects counts as a failure, and Locust exits
non-zero on any failure.

Run it through bench/locust/run.sh (make load, make load-ci, make soak),
which starts the platform on a fresh data directory with the sign-in and
sign-up limits per address raised (all simulated users come from 127.0.0.1).
"""

import base64
import json
import os
import random
import string
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import requests
from locust import HttpUser, between, events, task

ADMIN_EMAIL = os.environ.get("ALEXANDRIA_ADMIN_EMAIL", "admin@alexandria.local")
ADMIN_PASSWORD = os.environ.get("ALEXANDRIA_ADMIN_PASSWORD", "")
SEED_ITEMS = int(os.environ.get("LOAD_SEED_ITEMS", "12"))
# An item is engaged with (liked, viewed, followed...) only once it has been
# published this long: engagement learns of it from catalog's events, so a
# like on an item published 50 ms ago may rightly be a 404.
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE_SECONDS", "20"))
# Signed-in users refresh their access token after this long (it lives 15 min).
REFRESH_AFTER = float(os.environ.get("LOAD_REFRESH_AFTER", "600"))
# How long an author waits for processing before leaving an item a draft.
PROCESSING_WAIT = float(os.environ.get("LOAD_PROCESSING_WAIT", "60"))

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 alexandria-locust"
WORDS = ["river", "lantern", "harbour", "orchard", "compass", "meadow", "archive", "granite",
         "library", "whistle", "cormorant", "engine", "velvet", "atlas", "ember", "quarry"]
KINDS = ["book", "document", "podcast", "video"]
LANGUAGES = ["en", "fr", "de", "pt-BR"]
SERVICES = ["identity", "catalog", "storage", "processing", "search", "feeds", "engagement", "analytics", "notify"]


def _run_id():
    return os.environ.get("LOAD_RUN_ID") or uuid.uuid4().hex[:8]


RUN_ID = _run_id()
# Small runs still get an author and an impatient client: run.sh passes the
# user count, and these classes take a fixed share of it.
USERS = int(os.environ.get("LOAD_USERS", "20"))


class Shared:
    """What the users share: the published items seen so far, and the admin's view of the API."""

    lock = threading.Lock()
    items = {}  # media id -> {"author_ids": [...], "published_at": epoch, "pages": int|None, "tags": [...]}
    dead_letter_paths = []
    base = None
    admin_token, admin_at = None, 0.0

    @classmethod
    def remember(cls, media):
        if media.get("status") != "published" or not media.get("published_at"):
            return
        published = _parse_time(media["published_at"])
        content = media.get("content") or {}
        with cls.lock:
            cls.items[media["id"]] = {"author_ids": media.get("author_ids") or [], "published_at": published,
                                      "pages": content.get("pages"), "tags": media.get("tags") or []}

    @classmethod
    def settled(cls):
        """A published item engagement has surely heard of, or None."""
        cutoff = time.time() - SETTLE_SECONDS
        with cls.lock:
            ids = [i for i, m in cls.items.items() if m["published_at"] <= cutoff]
            if not ids:
                return None, None
            mid = random.choice(ids)
            return mid, cls.items[mid]

    @classmethod
    def any_item(cls):
        with cls.lock:
            if not cls.items:
                return None
            return random.choice(list(cls.items))


def _parse_time(s):
    s = s.replace("Z", "+00:00")
    # Python 3.11 parses nanoseconds poorly: keep microseconds.
    if "." in s:
        head, frac = s.split(".", 1)
        digits = "".join(ch for ch in frac if ch.isdigit())
        rest = frac[len(digits):]
        s = head + "." + digits[:6].ljust(6, "0") + rest
    return datetime.fromisoformat(s).timestamp()


def _email(role):
    return f"{role}-{RUN_ID}-{uuid.uuid4().hex[:12]}@load.example.org"


def _password():
    # Long, random: passes the policy (not common, not derived from the e-mail).
    return "load " + "".join(random.choices(string.ascii_lowercase + string.digits, k=24))


def _b64(s):
    return base64.b64encode(s.encode()).decode()


def _text_file(title):
    words = " ".join(random.choices(WORDS, k=400))
    return (f"{title}\n\n{words}\n").encode()


def _sentence(n=3):
    return " ".join(random.choices(WORDS, k=n)).capitalize()


# --- Seeding (plain requests: not part of the measured load) ---------------

def _seed_session(base):
    s = requests.Session()
    s.headers["User-Agent"] = BROWSER_UA
    return s


def _check(resp, want, what):
    if resp.status_code not in want:
        raise RuntimeError(f"seed: {what}: HTTP {resp.status_code} {resp.text[:300]}")
    return resp


def _sign_in(s, base, email, password):
    r = _check(s.post(base + "/v1/auth/token", json={"email": email, "password": password}), (200,), "sign in " + email)
    return r.json()


def _make_author_account(s, base, admin_token):
    """A new account with the author role, signed in: (email, password, tokens)."""
    email, password = _email("author"), _password()
    u = _check(s.post(base + "/v1/users", json={"email": email, "password": password,
                                                "display_name": "Author " + RUN_ID}), (201,), "sign up").json()
    _check(s.patch(base + f"/v1/users/{u['id']}", json={"roles": ["reader", "author"]},
                   headers={"Authorization": "Bearer " + admin_token}), (200,), "grant author")
    return email, password, _sign_in(s, base, email, password)


@events.test_start.add_listener
def seed(environment, **_kwargs):
    base = environment.host.rstrip("/")
    Shared.base = base
    if not ADMIN_PASSWORD:
        raise RuntimeError("set ALEXANDRIA_ADMIN_PASSWORD (and ALEXANDRIA_ADMIN_EMAIL) as the platform was started with")
    s = _seed_session(base)
    admin = _sign_in(s, base, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]
    Shared.admin_token, Shared.admin_at = admin, time.time()
    # Every service with an event pipeline has its dead letters (in split
    # mode the gateway sends each to its own target).
    Shared.dead_letter_paths = [f"/v1/admin/events/{svc}/dead-letters" for svc in SERVICES]
    _, _, tok = _make_author_account(s, base, admin)
    auth = {"Authorization": "Bearer " + tok["access_token"]}
    author = _check(s.post(base + "/v1/authors", json={"name": "Seed shelf " + RUN_ID}, headers=auth),
                    (201,), "create author").json()
    ids = []
    for i in range(SEED_ITEMS):
        m = _check(s.post(base + "/v1/media", headers=auth, json={
            "title": f"{_sentence()} {i}", "kind": "document", "language": "en", "author_ids": [author["id"]],
            "tags": ["load", random.choice(WORDS)], "license": "CC-BY-4.0", "description": _sentence(12)}),
            (201,), "create media").json()
        body = _text_file(m["title"])
        _check(s.put(base + f"/v1/media/{m['id']}/content", data=body,
                     headers={**auth, "Content-Type": "application/octet-stream",
                              "Content-Disposition": 'attachment; filename="seed.txt"'}), (201,), "upload")
        ids.append(m["id"])
    deadline = time.time() + 120
    pending = set(ids)
    while pending and time.time() < deadline:
        for mid in list(pending):
            m = _check(s.get(base + f"/v1/media/{mid}", headers=auth), (200,), "get media").json()
            if m["status"] == "draft" and m.get("content"):
                r = _check(s.patch(base + f"/v1/media/{mid}", json={"status": "published"}, headers=auth),
                           (200,), "publish")
                Shared.remember(r.json())
                pending.discard(mid)
            elif m["status"] == "failed":
                raise RuntimeError(f"seed: processing failed: {m.get('status_reason')}")
        time.sleep(0.5)
    if pending:
        raise RuntimeError(f"seed: {len(pending)} items still processing after 120 s")
    # Engagement and search follow catalog's events: wait until they know the last one.
    last = ids[-1]
    deadline = time.time() + 60
    while time.time() < deadline:
        if s.get(base + f"/v1/media/{last}/stats").status_code == 200:
            break
        time.sleep(0.5)
    with Shared.lock:
        for m in Shared.items.values():
            m["published_at"] = min(m["published_at"], time.time() - SETTLE_SECONDS - 1)
    print(f"seeded {len(ids)} published items under author {author['id']}; "
          f"{len(Shared.dead_letter_paths)} dead-letter queues", flush=True)


# --- Users -----------------------------------------------------------------

class Base(HttpUser):
    abstract = True
    wait_time = between(1, 5)

    def on_start(self):
        self.client.headers["User-Agent"] = BROWSER_UA
        self.token = None
        self.refresh_token = None
        self.signed_at = 0

    # Auth helpers (measured: signing in is part of the traffic).
    def sign_in(self, email, password):
        r = self.client.post("/v1/auth/token", json={"email": email, "password": password}, name="/v1/auth/token")
        r.raise_for_status()
        self._take(r.json())

    def _take(self, tok):
        self.token = tok["access_token"]
        self.refresh_token = tok["refresh_token"]
        self.signed_at = time.time()
        self.client.headers["Authorization"] = "Bearer " + self.token

    def fresh(self):
        if self.refresh_token and time.time() - self.signed_at > REFRESH_AFTER:
            r = self.client.post("/v1/auth/refresh", json={"refresh_token": self.refresh_token},
                                 name="/v1/auth/refresh")
            if r.ok:
                self._take(r.json())

    def sign_up(self, role):
        self.email, self.password = _email(role), _password()
        r = self.client.post("/v1/users", json={"email": self.email, "password": self.password,
                                                "display_name": role.capitalize() + " " + RUN_ID}, name="/v1/users")
        r.raise_for_status()
        self.user_id = r.json()["id"]

    def list_page(self, **params):
        params.setdefault("page_size", random.choice([10, 20, 50]))
        r = self.client.get("/v1/media", params=params, name="/v1/media?filters")
        if r.ok:
            for m in r.json().get("items", []):
                Shared.remember(m)
        return r


class AnonymousVisitor(Base):
    weight = 50

    @task(10)
    def browse(self):
        params = {}
        if random.random() < 0.5:
            params["kind"] = random.choice(KINDS)
        if random.random() < 0.3:
            params["order_by"] = random.choice(["newest", "oldest", "title"])
        r = self.list_page(**params)
        token = r.json().get("next_page_token") if r.ok else None
        if token and random.random() < 0.3:
            self.list_page(page_token=token, **params)

    @task(8)
    def open_item(self):
        mid = Shared.any_item()
        if mid:
            self.client.get(f"/v1/media/{mid}", name="/v1/media/{id}")
            self.client.get(f"/v1/media/{mid}/stats", name="/v1/media/{id}/stats")

    @task(8)
    def search(self):
        q = " ".join(random.sample(WORDS, random.choice([1, 1, 2])))
        params = {"q": q}
        if random.random() < 0.3:
            params["kind"] = "document"
        if random.random() < 0.2:
            params["sort"] = random.choice(["newest", "popular"])
        self.client.get("/v1/search", params=params, name="/v1/search")

    @task(4)
    def suggest(self):
        w = random.choice(WORDS)
        self.client.get("/v1/search/suggest", params={"q": w[:random.randint(2, 5)]}, name="/v1/search/suggest")

    @task(3)
    def feeds(self):
        path = random.choice(["/feeds/feed.json", "/feeds/atom.xml", "/opds/v2/catalog", "/sitemap.xml"])
        self.client.get(path, name=path)

    @task(3)
    def download(self):
        mid = Shared.any_item()
        if mid:
            headers = {"Range": "bytes=0-1023"} if random.random() < 0.5 else {}
            self.client.get(f"/v1/media/{mid}/content", headers=headers, name="/v1/media/{id}/content")

    @task(2)
    def view(self):
        mid, _ = Shared.settled()
        if mid:
            self.client.post(f"/v1/media/{mid}/views", json={"seconds_read": random.randint(30, 900),
                                                              "pages_read": 1}, name="/v1/media/{id}/views")


class ImpatientClient(Base):
    """Gives up after a few milliseconds: the server sees its requests cancelled."""

    fixed_count = max(1, round(USERS * 0.04))
    wait_time = between(0.5, 2)

    def _impatient(self, path, params, name):
        with self.client.get(path, params=params, timeout=random.uniform(0.002, 0.03), name=name,
                             catch_response=True) as r:
            # A timeout has no status (0); anything the server did answer
            # must be a success or a client error, never a 5xx.
            if r.status_code >= 500:
                r.failure(f"server error {r.status_code}")
            else:
                r.success()

    @task(3)
    def impatient_search(self):
        q = " ".join(random.sample(WORDS, 2)) + "*"
        self._impatient("/v1/search", {"q": q, "page_size": 100}, "impatient: /v1/search")

    @task(2)
    def impatient_list(self):
        self._impatient("/v1/media", {"page_size": 100, "order_by": "title"}, "impatient: /v1/media")

    @task(1)
    def impatient_feed(self):
        self._impatient("/opds/v2/catalog", None, "impatient: /opds/v2/catalog")


class Reader(Base):
    weight = 30

    def on_start(self):
        super().on_start()
        self.sign_up("reader")
        self.sign_in(self.email, self.password)
        self.device = random.choice(["phone", "tablet", "laptop"])

    @task(10)
    def home_feed(self):
        self.fresh()
        r = self.client.get("/v1/users/me/feed", name="/v1/users/me/feed")
        token = r.json().get("next_page_token") if r.ok else None
        if token and random.random() < 0.3:
            self.client.get("/v1/users/me/feed", params={"page_token": token}, name="/v1/users/me/feed")

    @task(6)
    def read_and_report_progress(self):
        self.fresh()
        mid, meta = Shared.settled()
        if not mid:
            return
        r = self.client.get(f"/v1/media/{mid}", name="/v1/media/{id}")
        if not r.ok:
            return
        content = r.json().get("content") or {}
        body = {"device": self.device, "client_time": datetime.now(timezone.utc).isoformat()}
        if content.get("pages"):
            pages = int(content["pages"])
            body.update(page=random.randint(1, pages), pages=pages)
        elif content.get("duration"):
            body.update(seconds=random.uniform(0, float(content["duration"])))
        else:
            body.update(cfi=f"epubcfi(/6/{random.randint(1, 20) * 2}!/4/2)", percent=random.uniform(0, 100))
        self.client.put(f"/v1/users/me/progress/{mid}", json=body, name="/v1/users/me/progress/{id}")
        self.client.post(f"/v1/media/{mid}/views", json={"seconds_read": random.randint(30, 1800),
                                                          "pages_read": random.randint(1, 5)},
                         name="/v1/media/{id}/views")

    @task(4)
    def like(self):
        self.fresh()
        mid, _ = Shared.settled()
        if not mid:
            return
        if random.random() < 0.8:
            self.client.put(f"/v1/media/{mid}/like", name="/v1/media/{id}/like")
        else:
            self.client.delete(f"/v1/media/{mid}/like", name="/v1/media/{id}/like")

    @task(2)
    def follow(self):
        self.fresh()
        mid, meta = Shared.settled()
        if not mid or not meta["author_ids"]:
            return
        aid = random.choice(meta["author_ids"])
        self.client.put(f"/v1/users/me/follows/author/{aid}", name="/v1/users/me/follows/author/{id}")

    @task(3)
    def progress_list(self):
        self.fresh()
        self.client.get("/v1/users/me/progress", params={"state": "in_progress"}, name="/v1/users/me/progress")

    @task(3)
    def notifications(self):
        self.fresh()
        self.client.get("/v1/users/me/notifications/unread-count", name="/v1/users/me/notifications/unread-count")
        if random.random() < 0.3:
            self.client.get("/v1/users/me/notifications", name="/v1/users/me/notifications")

    @task(2)
    def search_signed_in(self):
        self.fresh()
        self.client.get("/v1/search", params={"q": random.choice(WORDS)}, name="/v1/search")

    @task(1)
    def me(self):
        self.fresh()
        self.client.get("/v1/users/me", name="/v1/users/me")

    @task(1)
    def report(self):
        if random.random() > 0.2:
            return
        self.fresh()
        mid, _ = Shared.settled()
        if mid:
            self.client.post("/v1/reports", json={"target_type": "media", "target_id": mid, "reason": "other",
                                                  "note": "load test report"}, name="/v1/reports")


class Author(Base):
    fixed_count = max(1, round(USERS * 0.05))
    wait_time = between(2, 8)

    def on_start(self):
        super().on_start()
        s = _seed_session(self.host)
        # The administrator's grant is set-up, not the author's traffic.
        with Shared.lock:
            if time.time() - Shared.admin_at > REFRESH_AFTER:
                Shared.admin_token = _sign_in(s, self.host, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]
                Shared.admin_at = time.time()
            admin = Shared.admin_token
        self.sign_up("author")
        _check(s.patch(self.host + f"/v1/users/{self.user_id}", json={"roles": ["reader", "author"]},
                       headers={"Authorization": "Bearer " + admin}), (200,), "grant author")
        self.sign_in(self.email, self.password)
        r = self.client.post("/v1/authors", json={"name": f"{_sentence(2)} press {RUN_ID}",
                                                  "bio": _sentence(10)}, name="/v1/authors")
        r.raise_for_status()
        self.author_id = r.json()["id"]
        self.author_at = time.time()
        self.mine = []

    def _tus_upload(self, mid, body):
        create = self.client.post("/v1/uploads", headers={
            "Tus-Resumable": "1.0.0", "Upload-Length": str(len(body)),
            "Upload-Metadata": f"media_id {_b64(mid)},filename {_b64('notes.txt')}"}, name="/v1/uploads (create)")
        if create.status_code != 201:
            return False
        loc = create.headers.get("Location", "")
        path = "/" + loc.split("://", 1)[-1].split("/", 1)[-1] if "://" in loc else loc
        # Two chunks, as a resumable client sends them; the HEAD is what
        # a client does after a lost connection.
        half = len(body) // 2
        offset = 0
        for chunk in (body[:half], body[half:]):
            r = self.client.patch(path, data=chunk, headers={
                "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream"}, name="/v1/uploads/{id} (patch)")
            if r.status_code != 204:
                return False
            offset += len(chunk)
            if offset < len(body) and random.random() < 0.3:
                self.client.head(path, headers={"Tus-Resumable": "1.0.0"}, name="/v1/uploads/{id} (head)")
        return True

    @task(3)
    def publish_new_item(self):
        self.fresh()
        r = self.client.post("/v1/media", json={
            "title": _sentence(), "kind": "document", "language": random.choice(LANGUAGES),
            "author_ids": [self.author_id], "tags": ["load", random.choice(WORDS)], "license": "CC-BY-4.0",
            "description": _sentence(15)}, name="/v1/media (create)")
        if r.status_code != 201:
            return
        mid = r.json()["id"]
        if not self._tus_upload(mid, _text_file(r.json()["title"])):
            return
        deadline = time.time() + PROCESSING_WAIT
        while time.time() < deadline:
            self.wait()
            m = self.client.get(f"/v1/media/{mid}", name="/v1/media/{id}")
            if not m.ok:
                return
            st = m.json()["status"]
            if st == "draft" and m.json().get("content"):
                p = self.client.patch(f"/v1/media/{mid}", json={"status": "published"},
                                      headers={"If-Match": m.headers.get("ETag", "")}, name="/v1/media/{id} (patch)")
                if p.ok:
                    Shared.remember(p.json())
                    self.mine.append(mid)
                return
            if st == "failed":
                with self.client.get(f"/v1/media/{mid}", name="processing failed", catch_response=True) as f:
                    f.failure("processing failed: " + m.json().get("status_reason", ""))
                return

    @task(2)
    def edit_item(self):
        if not self.mine:
            return
        self.fresh()
        mid = random.choice(self.mine)
        m = self.client.get(f"/v1/media/{mid}", name="/v1/media/{id}")
        if m.ok:
            self.client.patch(f"/v1/media/{mid}", json={"description": _sentence(20)},
                              headers={"If-Match": m.headers.get("ETag", "")}, name="/v1/media/{id} (patch)")

    @task(2)
    def my_items(self):
        self.fresh()
        self.client.get("/v1/search", params={"scope": "mine"}, name="/v1/search?scope=mine")
        # Engagement learns of a new author from catalog's events: until
        # then its stats are rightly a 404.
        if time.time() - self.author_at > SETTLE_SECONDS:
            self.client.get(f"/v1/authors/{self.author_id}/stats", name="/v1/authors/{id}/stats")


class Admin(Base):
    weight = 1
    fixed_count = 1
    wait_time = between(3, 10)

    def on_start(self):
        super().on_start()
        self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)

    @task(4)
    def reports_queue(self):
        self.fresh()
        r = self.client.get("/v1/admin/reports", params={"state": "open"}, name="/v1/admin/reports")
        if not r.ok:
            return
        for rep in r.json().get("items", [])[:3]:
            self.client.post(f"/v1/admin/reports/{rep['id']}/resolve", json={"action": "dismiss",
                                                                               "note": "load test"},
                             name="/v1/admin/reports/{id}/resolve")

    @task(2)
    def dead_letters(self):
        self.fresh()
        for path in Shared.dead_letter_paths:
            self.client.get(path, name="/v1/admin/events/{service}/dead-letters")

    @task(1)
    def users(self):
        self.fresh()
        self.client.get("/v1/users", params={"page_size": 20}, name="/v1/users")
