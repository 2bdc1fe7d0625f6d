// Component tests of the screens written against the notify (issue 12),
// analytics (issue 14) and identity (issue 15) contracts, with a mocked fetch.
import { QueryClient } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { signOut } from "./api";
import { Providers, routes } from "./App";
import { parseSSE, subjectLink, urlBase64ToBytes } from "./notify";
import { rising } from "./analytics";
import { trendingQuery } from "./pages/Trending";
import { statsQuery } from "./components/StatsChart";

function json(body: unknown, status = 200) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
const notFound = () => json({ status: 404, title: "Not Found" }, 404);
const token = ["e30", btoa(JSON.stringify({ sub: "u1", roles: ["reader"], exp: 9999999999 })), "sig"].join(".");

type Handler = (url: string, init: RequestInit) => Response | undefined | Promise<Response | undefined>;
let handler: Handler;
let fetchMock: ReturnType<typeof vi.fn>;
const calls = (pred: (url: string, method: string) => boolean) =>
  fetchMock.mock.calls.filter(([u, i]) => pred(String(u), (i?.method ?? "GET") as string)).map(([u, i]) => ({ url: String(u), init: i as RequestInit }));

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem("alexandria.locale", "en");
  handler = () => undefined;
  fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const answer = await handler(url, init);
    if (answer) return answer;
    if (url === "/v1/auth/session/refresh") return document.cookie.includes("alx_csrf") ? json({ access_token: token, expires_in: 900 }) : json({ status: 401 }, 401);
    if (url.startsWith("/v1/media?")) return json({ items: [] });
    if (url === "/v1/authors/a1") return json({ id: "a1", name: "Ada", bio: "", links: [], status: "active", version: 1, members: [] });
    return notFound();
  });
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(async () => {
  await signOut();
  document.cookie = "alx_csrf=; max-age=0";
  vi.unstubAllGlobals();
});

function renderAt(path: string, { signedIn = false } = {}) {
  if (signedIn) document.cookie = "alx_csrf=c1";
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return router;
}

const note = (over: Record<string, unknown> = {}) => ({
  id: "n1",
  type: "media.published",
  title: "New episode",
  body: "Ada published “Tone”.",
  subject: "media/m1",
  created_at: "2026-01-01T10:00:00Z",
  read_at: null,
  ...over,
});

describe("notify helpers", () => {
  it("sse_events_are_split_with_ids_and_the_partial_rest_kept", () => {
    const r = parseSSE('retry: 2000\n\n: keep-alive\n\nid: n1\nevent: notification\ndata: {"a":1}\n\nid: n2\r\nevent: notif');
    expect(r.events).toEqual([{ id: "n1", event: "notification", data: '{"a":1}' }]);
    expect(r.rest).toBe("id: n2\nevent: notif");
    expect(parseSSE("data: a\ndata: b\n\n").events).toEqual([{ event: "message", data: "a\nb" }]);
  });
  it("subjects_link_to_media_and_authors_only", () => {
    expect(subjectLink("media/m1")).toBe("/media/m1");
    expect(subjectLink("author/a-1")).toBe("/authors/a-1");
    expect(subjectLink("javascript:alert(1)")).toBeNull();
    expect(subjectLink("media/../x")).toBeNull();
  });
  it("vapid_keys_decode_from_base64url", () => {
    expect(Array.from(urlBase64ToBytes("AQL_-w"))).toEqual([1, 2, 255, 251]);
  });
});

describe("notification bell", () => {
  it("shows_the_unread_count_and_follows_the_stream_with_the_bearer", async () => {
    let unread = 2;
    let push: ((s: string) => void) | null = null;
    handler = (url, init) => {
      if (url === "/v1/users/me/notifications/unread-count") return json({ unread });
      if (url === "/v1/users/me/notifications/stream") {
        expect((init.headers as Record<string, string>).Authorization).toBe(`Bearer ${token}`);
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            push = (s) => c.enqueue(new TextEncoder().encode(s));
            push("retry: 2000\n\n");
          },
        });
        return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
      }
      return undefined;
    };
    renderAt("/", { signedIn: true });
    const bell = await screen.findByRole("link", { name: "Notifications, 2 unread" }, { timeout: 5000 });
    await waitFor(() => expect(bell).toHaveAttribute("data-live", "sse"));
    unread = 3;
    push!(`id: n9\nevent: notification\ndata: ${JSON.stringify(note({ id: "n9" }))}\n\n`);
    expect(await screen.findByRole("link", { name: "Notifications, 3 unread" })).toHaveAttribute("href", "/notifications");
  });
  it("polls_when_there_is_no_stream_and_hides_without_notify", async () => {
    handler = (url) => (url === "/v1/users/me/notifications/unread-count" ? json({ unread: 0 }) : undefined);
    renderAt("/", { signedIn: true });
    const bell = await screen.findByRole("link", { name: "Notifications, 0 unread" }, { timeout: 5000 });
    await waitFor(() => expect(calls((u) => u.endsWith("/notifications/stream")).length).toBe(1));
    expect(bell).toHaveAttribute("data-live", "poll");
  });
  it("is_absent_when_the_notify_target_is", async () => {
    renderAt("/", { signedIn: true });
    await screen.findByRole("link", { name: "Account" }, { timeout: 5000 });
    await waitFor(() => expect(calls((u) => u.endsWith("/unread-count")).length).toBe(1));
    expect(screen.queryByRole("link", { name: /Notifications/ })).toBeNull();
  });
});

describe("inbox", () => {
  it("pages_filters_and_marks_read", async () => {
    handler = (url, init) => {
      if (url.startsWith("/v1/users/me/notifications?")) {
        const p = new URLSearchParams(url.split("?")[1]);
        if (p.get("page_token") === "t2") return json({ items: [note({ id: "n0", title: "Older", read_at: "2026-01-01T00:00:00Z" })] });
        if (p.get("unread_only") === "true") return json({ items: [note()] });
        return json({ items: [note()], next_page_token: "t2" });
      }
      if (url.endsWith("/read") && init.method === "POST") return new Response(null, { status: 204 });
      if (url.endsWith("/read-all") && init.method === "POST") return json({ marked: 1 });
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/notifications", { signedIn: true });
    expect(await screen.findByRole("link", { name: "New episode" }, { timeout: 5000 })).toHaveAttribute("href", "/media/m1");
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Older")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Mark read: New episode" }));
    await waitFor(() => expect(calls((u, m) => m === "POST" && u === "/v1/users/me/notifications/n1/read")).toHaveLength(1));
    await user.click(screen.getByRole("button", { name: "Mark all read" }));
    await waitFor(() => expect(calls((u, m) => m === "POST" && u.endsWith("/read-all"))).toHaveLength(1));
    await user.click(screen.getByRole("checkbox", { name: "Unread only" }));
    await waitFor(() => expect(calls((u) => u.includes("unread_only=true")).length).toBeGreaterThan(0));
    await waitFor(() => expect(screen.queryByText("Older")).toBeNull());
  });
  it("says_calmly_when_notify_is_absent", async () => {
    renderAt("/notifications", { signedIn: true });
    expect(await screen.findByText("Notifications are not available on this server.", {}, { timeout: 5000 })).toBeInTheDocument();
  });
});

describe("notification settings", () => {
  it("toggles_a_type_and_channel_and_saves_digest_and_quiet_hours", async () => {
    const prefs = {
      preferences: [
        { type: "media.published", channel: "in_app", enabled: true },
        { type: "media.published", channel: "email", enabled: false },
      ],
      email_digest: "off",
      quiet_hours: null,
      time_zone: "UTC",
    };
    handler = (url, init) => {
      if (url === "/v1/users/me/notification-preferences") return json(init.method === "PUT" ? JSON.parse(String(init.body)) : prefs);
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/notifications/settings", { signedIn: true });
    const email = await screen.findByRole("checkbox", { name: "New item from what you follow: E-mail" }, { timeout: 5000 });
    expect(email).not.toBeChecked();
    expect(screen.getByRole("checkbox", { name: "New item from what you follow: In the app" })).toBeChecked();
    await user.click(email);
    await user.click(screen.getByRole("radio", { name: "Weekly digest" }));
    await user.click(screen.getByRole("checkbox", { name: "Use quiet hours" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Saved.");
    const put = calls((u, m) => m === "PUT" && u.endsWith("/notification-preferences"))[0];
    const body = JSON.parse(String(put.init.body));
    expect(body.preferences).toContainEqual({ type: "media.published", channel: "email", enabled: true });
    expect(body.email_digest).toBe("weekly");
    expect(body.quiet_hours).toEqual({ start: "22:00", end: "07:00" });
    // No VAPID key here: no push section.
    expect(screen.queryByRole("heading", { name: "Push notifications in this browser" })).toBeNull();
  });
});

describe("webhooks in the studio", () => {
  it("creates_lists_deliveries_and_redelivers", async () => {
    handler = (url, init) => {
      if (url.startsWith("/v1/webhooks?author_id=a1")) return json({ status: 405, title: "Method Not Allowed" }, 405);
      if (url === "/v1/users/me/notifications/unread-count") return json({ unread: 0 });
      if (url === "/v1/webhooks" && init.method === "POST") {
        const b = JSON.parse(String(init.body));
        expect(b).toEqual({ author_id: "a1", url: "https://hooks.example.org/in", event_types: ["media.published"] });
        return json({ id: "w1", author_id: "a1", url: b.url, event_types: b.event_types, enabled: true, consecutive_failures: 0, created_at: "2026-01-01T00:00:00Z", secret: "whsec_abc" }, 201);
      }
      if (url.startsWith("/v1/webhooks/w1/deliveries?"))
        return json({ items: [{ id: "d1", event_type: "media.published", state: "failed", attempts: 5, status_code: 500, payload: "{}", created_at: "2026-01-01T00:00:00Z" }] });
      if (url === "/v1/webhooks/w1/deliveries/d1/redeliver") return new Response(null, { status: 204 });
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/studio/authors/a1", { signedIn: true });
    await screen.findByRole("heading", { name: "Webhooks" }, { timeout: 5000 });
    expect(screen.getByText(/does not list webhooks/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Webhook URL"), "https://hooks.example.org/in");
    await user.click(screen.getByRole("button", { name: "Add webhook" }));
    expect(await screen.findByText("whsec_abc")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Deliveries" }));
    const table = await screen.findByRole("table", { name: "Deliveries" });
    expect(within(table).getByText("failed (5)")).toBeInTheDocument();
    await user.click(within(table).getByRole("button", { name: "Send again" }));
    await waitFor(() => expect(calls((u, m) => m === "POST" && u.endsWith("/redeliver"))).toHaveLength(1));
  });
  it("is_hidden_without_notify", async () => {
    renderAt("/studio/authors/a1", { signedIn: true });
    await screen.findByRole("heading", { name: "Ada" }, { timeout: 5000 });
    await waitFor(() => expect(calls((u) => u.endsWith("/unread-count")).length).toBeGreaterThan(0));
    expect(screen.queryByRole("heading", { name: "Webhooks" })).toBeNull();
  });
});

const mediaJSON = (id: string, title: string, over: Record<string, unknown> = {}) => ({
  id, title, description: "", kind: "podcast", language: "en", author_ids: ["a1"], category_ids: [], tags: [], license: "",
  status: "published", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", version: 1, ...over,
});

describe("analytics helpers", () => {
  it("rising_reads_omega_and_upsilon", () => {
    expect(rising({ omega: 1.5, upsilon: 0.42, y_prev: 4 })).toEqual({ growth: 150, share: 42, up: true });
    expect(rising({ omega: -0.25, upsilon: 1, y_prev: 4 })).toEqual({ growth: -25, share: 100, up: false });
    expect(rising({ omega: 1, upsilon: 0.1, y_prev: 0 })).toEqual({ growth: null, share: 10, up: true });
  });
  it("queries_keep_known_filters_and_a_valid_window", () => {
    const q = trendingQuery("trending", new URLSearchParams("window=year&kind=video&evil=1&language=fr"));
    expect(Object.fromEntries(new URLSearchParams(q.split("?")[1]))).toEqual({ window: "day", kind: "video", language: "fr", limit: "30" });
    expect(trendingQuery("popular", new URLSearchParams("window=week"))).toBe("/v1/popular?window=week&limit=30");
    const s = new URLSearchParams(statsQuery("a 1", "2026-01-01", "2026-01-03", "hour").split("?")[1]);
    expect(Object.fromEntries(s)).toEqual({ from: "2026-01-01T00:00:00Z", to: "2026-01-04T00:00:00Z", interval: "hour" });
  });
});

describe("trending page", () => {
  it("ranks_items_with_their_titles_and_a_rising_indicator", async () => {
    handler = (url) => {
      if (url.startsWith("/v1/trending?")) return json({ window: "week", items: [
        { media_id: "m1", kind: "podcast", phi: 2, omega: 1, upsilon: 1, y: 10, y_prev: 5 },
        { media_id: "m2", kind: "video", phi: 1.3, omega: 1, upsilon: 0.3, y: 3, y_prev: 0 },
      ] });
      if (url === "/v1/media/m1") return json(mediaJSON("m1", "Tone"));
      if (url === "/v1/media/m2") return json(mediaJSON("m2", "Clip", { kind: "video" }));
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/trending?window=week");
    expect(await screen.findByRole("link", { name: "Tone" }, { timeout: 5000 })).toHaveAttribute("href", "/media/m1");
    expect(screen.getByText(/Rising: \+100 %/)).toBeInTheDocument();
    expect(screen.getByText(/New this window/)).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Kind"), "video");
    await waitFor(() => expect(calls((u) => u.startsWith("/v1/trending?") && u.includes("kind=video") && u.includes("window=week")).length).toBe(1));
  });
  it("says_calmly_when_analytics_is_absent", async () => {
    renderAt("/trending?list=popular");
    expect(await screen.findByText("Trending is not available on this server.", {}, { timeout: 5000 })).toBeInTheDocument();
    expect(calls((u) => u.startsWith("/v1/popular?window=day")).length).toBe(1);
  });
});

describe("related shelf and author statistics", () => {
  it("shows_related_items_on_the_item_page", async () => {
    handler = (url) => {
      if (url === "/v1/media/m1") return json(mediaJSON("m1", "Tone"));
      if (url === "/v1/media/m1/related?limit=8") return json({ items: [{ media_id: "m2", kind: "podcast", score: 3 }] });
      if (url === "/v1/media/m2") return json(mediaJSON("m2", "Second tone"));
      return undefined;
    };
    renderAt("/media/m1");
    const shelf = await screen.findByRole("region", { name: "Related" }, { timeout: 5000 });
    expect(within(shelf).getByRole("link", { name: /Second tone/ })).toHaveAttribute("href", "/media/m2");
  });
  it("draws_the_chart_and_the_table_and_hides_without_analytics", async () => {
    const total = [
      { start: "2026-01-01T00:00:00Z", views: 3, unique_viewers: 2, likes: 1, completions: 0, new_followers: 1 },
      { start: "2026-01-02T00:00:00Z", views: 5, unique_viewers: 4, likes: 0, completions: 2, new_followers: 0 },
    ];
    handler = (url) => (url.startsWith("/v1/authors/a1/stats/timeseries?") ? json({ author_id: "a1", interval: "day", total, items: [] }) : undefined);
    const user = userEvent.setup();
    renderAt("/studio/authors/a1", { signedIn: true });
    const chart = await screen.findByRole("img", { name: "Views: 8 in total over 2 periods, at most 5 in one." }, { timeout: 5000 });
    expect(chart.querySelectorAll("rect")).toHaveLength(2);
    const table = screen.getByRole("table", { name: "Statistics" });
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    await user.selectOptions(screen.getByLabelText("Measure"), "likes");
    expect(screen.getByRole("img", { name: "Likes: 1 in total over 2 periods, at most 1 in one." })).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Interval"), "hour");
    await waitFor(() => expect(calls((u) => u.includes("interval=hour")).length).toBe(1));
  });
  it("hides_statistics_without_analytics", async () => {
    renderAt("/studio/authors/a1", { signedIn: true });
    await screen.findByRole("heading", { name: "Ada" }, { timeout: 5000 });
    await waitFor(() => expect(calls((u) => u.includes("/stats/timeseries")).length).toBe(1));
    expect(screen.queryByRole("heading", { name: "Statistics" })).toBeNull();
  });
});

describe("identity: sign-in", () => {
  it("asks_for_the_second_factor_when_the_server_names_otp", async () => {
    handler = (url, init) => {
      if (url === "/v1/auth/session" && init.method === "POST") {
        const b = JSON.parse(String(init.body));
        if (!b.otp) return json({ status: 401, title: "Unauthorized", errors: [{ location: "body.otp", message: "is required for this account" }] }, 401);
        return b.otp === "123456" ? json({ access_token: token, expires_in: 900 }) : json({ status: 401, detail: "the second factor code is wrong", errors: [{ location: "body.otp", message: "is wrong" }] }, 401);
      }
      if (url === "/v1/auth/oidc/providers") return json({ items: [{ id: "keycloak", name: "Keycloak" }] });
      return undefined;
    };
    const user = userEvent.setup();
    const router = renderAt("/signin");
    expect(await screen.findByRole("link", { name: "Continue with Keycloak" }, { timeout: 5000 })).toHaveAttribute("href", "/v1/auth/oidc/keycloak/start");
    await user.type(screen.getByLabelText("E-mail"), "ada@example.org");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const otp = await screen.findByLabelText("Code from your authenticator app, or a recovery code");
    await user.type(otp, "000000");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the second factor code is wrong");
    await user.clear(otp);
    await user.type(otp, "123 456");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    const sent = calls((u, m) => u === "/v1/auth/session" && m === "POST").map((c) => JSON.parse(String(c.init.body)));
    expect(sent.map((b) => b.otp)).toEqual([undefined, "000000", "123456"]);
  });
  it("has_no_provider_buttons_without_oidc", async () => {
    renderAt("/signin");
    await screen.findByRole("link", { name: "Forgot your password?" }, { timeout: 5000 });
    await waitFor(() => expect(calls((u) => u === "/v1/auth/oidc/providers").length).toBe(1));
    expect(screen.queryByRole("link", { name: /Continue with/ })).toBeNull();
  });
});

describe("identity: password reset and e-mail verification", () => {
  it("sends_a_reset_link_and_sets_the_new_password_with_the_token", async () => {
    handler = (url, init) => {
      if (url === "/v1/auth/password-reset" && init.method === "POST") return new Response(null, { status: 202 });
      if (url === "/v1/auth/password-reset/confirm") {
        const b = JSON.parse(String(init.body));
        return b.token === "tok1" ? new Response(null, { status: 204 }) : json({ status: 422, detail: "expired", errors: [{ location: "body.token", message: "expired" }] }, 422);
      }
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/forgot-password");
    await user.type(await screen.findByLabelText("E-mail", {}, { timeout: 5000 }), "ada@example.org");
    await user.click(screen.getByRole("button", { name: "Send the link" }));
    expect(await screen.findByRole("status")).toHaveTextContent("If an account uses ada@example.org");
    expect(JSON.parse(String(calls((u) => u === "/v1/auth/password-reset")[0].init.body))).toEqual({ email: "ada@example.org" });
  });
  it("reset_confirmation_posts_the_token_from_the_link", async () => {
    handler = (url) => (url === "/v1/auth/password-reset/confirm" ? new Response(null, { status: 204 }) : undefined);
    const user = userEvent.setup();
    renderAt("/reset-password?token=tok1");
    await user.type(await screen.findByLabelText("New password", {}, { timeout: 5000 }), "a much better password");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Your password is changed.")).toBeInTheDocument();
    expect(JSON.parse(String(calls((u) => u.endsWith("/confirm"))[0].init.body))).toEqual({ token: "tok1", new_password: "a much better password" });
  });
  it("banner_resends_the_verification_when_the_address_is_unverified", async () => {
    handler = (url, init) => {
      if (url === "/v1/users/me") return json({ id: "u1", email: "ada@example.org", display_name: "Ada", roles: ["reader"], suspended: false, email_verified: false, created_at: "2026-01-01T00:00:00Z", version: 1 });
      if (url === "/v1/users/me/email/verify" && init.method === "POST") return new Response(null, { status: 202 });
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/", { signedIn: true });
    const banner = await screen.findByRole("region", { name: "E-mail verification" }, { timeout: 5000 });
    await user.click(within(banner).getByRole("button", { name: "Send the link again" }));
    expect(await within(banner).findByText("Sent. Check your inbox.")).toBeInTheDocument();
  });
  it("verification_link_confirms_with_its_token", async () => {
    handler = (url, init) => (url === "/v1/users/me/email/verify" && JSON.parse(String(init.body)).token === "v1" ? new Response(null, { status: 204 }) : undefined);
    renderAt("/verify-email?token=v1", { signedIn: true });
    expect(await screen.findByText("Your e-mail address is confirmed. Thank you!", {}, { timeout: 5000 })).toBeInTheDocument();
  });
});

describe("identity: account security", () => {
  const me = { id: "u1", email: "ada@example.org", display_name: "Ada", roles: ["reader"], suspended: false, created_at: "2026-01-01T00:00:00Z", version: 1 };
  it("lists_and_ends_sessions", async () => {
    handler = (url, init) => {
      if (url === "/v1/users/me") return json(me);
      if (url === "/v1/users/me/sessions" && (init.method ?? "GET") === "GET")
        return json({ items: [
          { id: "s1", device: "Firefox on Linux", address: "10.0.0.1", method: "browser", created_at: "2026-01-01T00:00:00Z", last_used_at: "2026-01-02T00:00:00Z", current: true },
          { id: "s2", device: "curl/8", address: "10.0.0.2", method: "password", created_at: "2026-01-01T00:00:00Z", last_used_at: "2026-01-02T00:00:00Z", current: false },
        ] });
      if (url.startsWith("/v1/users/me/sessions") && init.method === "DELETE") return new Response(null, { status: 204 });
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/account", { signedIn: true });
    await screen.findByRole("heading", { name: "Sessions" }, { timeout: 5000 });
    expect(screen.queryByRole("button", { name: "End the session on Firefox on Linux" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "End the session on curl/8" }));
    await user.click(screen.getByRole("button", { name: "Sign out everywhere else" }));
    await waitFor(() =>
      expect(calls((u, m) => m === "DELETE" && u.startsWith("/v1/users/me/sessions")).map((c) => c.url)).toEqual([
        "/v1/users/me/sessions/s2",
        "/v1/users/me/sessions?keep_current=true",
      ]),
    );
  });
  it("enrols_an_authenticator_app_with_a_local_qr_and_shows_recovery_codes_once", async () => {
    let on = false;
    handler = (url, init) => {
      if (url === "/v1/users/me") return json(me);
      if (url === "/v1/users/me/second-factor") return json({ totp: on, recovery_codes_left: on ? 10 : 0 });
      if (url === "/v1/users/me/totp" && init.method === "POST")
        return json({ secret: "JBSWY3DPEHPK3PXP", otpauth_url: "otpauth://totp/Alexandria:ada@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Alexandria" }, 201);
      if (url === "/v1/users/me/totp/confirm") {
        if (JSON.parse(String(init.body)).code !== "123456") return json({ status: 422, detail: "wrong code", errors: [{ location: "body.code", message: "is wrong" }] }, 422);
        on = true;
        return json({ recovery_codes: ["aaaa-bbbb", "cccc-dddd"] });
      }
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/account", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Set up an authenticator app" }, { timeout: 5000 }));
    const qr = await screen.findByRole("img", { name: "QR code of the authenticator app set-up" }, { timeout: 5000 });
    expect(qr.querySelector("path")!.getAttribute("d")!.length).toBeGreaterThan(100);
    expect(screen.getByTestId("totp-secret")).toHaveTextContent("JBSWY3DPEHPK3PXP");
    // Nothing but our own API was asked (no QR service).
    expect(fetchMock.mock.calls.map(([u]) => String(u)).filter((u) => !u.startsWith("/v1/") && !u.startsWith("/opds/"))).toEqual([]);
    await user.type(screen.getByLabelText("Code from the app"), "111111");
    await user.click(screen.getByRole("button", { name: "Turn on" }));
    expect(await screen.findByText("is wrong")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Code from the app"));
    await user.type(screen.getByLabelText("Code from the app"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn on" }));
    const codes = await screen.findByRole("list", { name: "Recovery codes" });
    expect(within(codes).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["aaaa-bbbb", "cccc-dddd"]);
    expect(await screen.findByText(/Recovery codes left: 10/)).toBeInTheDocument();
  });
  it("hides_sections_the_server_does_not_offer", async () => {
    handler = (url) => (url === "/v1/users/me" ? json(me) : undefined);
    renderAt("/account", { signedIn: true });
    await screen.findByRole("heading", { name: "Profile" }, { timeout: 5000 }).catch(() => screen.findByRole("heading", { level: 1 }));
    await waitFor(() => expect(calls((u) => u === "/v1/users/me/passkeys").length).toBe(1));
    for (const h of ["Sessions", "Passkeys", "Authenticator app (second factor)"]) expect(screen.queryByRole("heading", { name: h })).toBeNull();
  });
});
