// Component tests of the screens written against the search (issue 10),
// engagement (issue 11) and feeds (issue 13) contracts, with a mocked fetch.
import { QueryClient } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { signOut } from "./api";
import { Providers, routes } from "./App";
import { SearchInside } from "./components/SearchInside";
import { Highlight, highlightParts } from "./components/Highlight";
import { normalizeSuggestions } from "./components/SearchBox";
import { useTracker, type Position } from "./engagement";
import { I18nProvider } from "./i18n";
import { moved } from "./pages/Collections";
import { actionsFor } from "./pages/AdminReports";
import { facetEntries, searchQuery } from "./pages/Search";
import { passageLink } from "./search";
import { epubTarget, passageSpan, sectionFor } from "./players/EpubReader";
import type { Media } from "./types";

vi.mock("./players/EpubReader", async (orig) => {
  // epub.js does not load in jsdom; only the pure helper is tested here.
  const real = await orig<typeof import("./players/EpubReader")>().catch(() => null);
  return { default: () => null, epubTarget: real?.epubTarget, sectionFor: real?.sectionFor, passageSpan: real?.passageSpan };
});

const media = (over: Partial<Media> = {}): Media => ({
  id: "m1",
  title: "A title",
  description: "",
  kind: "podcast",
  language: "en",
  author_ids: ["a1"],
  category_ids: [],
  tags: ["jazz"],
  license: "",
  status: "published",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  version: 1,
  ...over,
});

function json(body: unknown, status = 200) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
const notFound = () => json({ status: 404, title: "Not Found" }, 404);
const token = ["e30", btoa(JSON.stringify({ sub: "u1", roles: ["reader", "moderator"], exp: 9999999999 })), "sig"].join(".");

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
    if (url.startsWith("/v1/authors/a1") && !url.includes("stats")) return json({ id: "a1", name: "Ada", bio: "", links: [], status: "active", version: 1 });
    if (url.startsWith("/v1/media/m1") && !url.slice("/v1/media/m1".length)) return json(media());
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

describe("highlights", () => {
  it("only_mark_tags_become_markup", () => {
    expect(highlightParts("a <mark>b</mark> <img src=x onerror=alert(1)>")).toEqual([
      { text: "a ", mark: false },
      { text: "b", mark: true },
      { text: " <img src=x onerror=alert(1)>", mark: false },
    ]);
    const { container } = render(<Highlight text={'<mark>jazz</mark> <b>bold</b> <mark class="x">no</mark>'} />);
    expect(container.querySelectorAll("mark")).toHaveLength(1);
    expect(container.querySelector("b, img")).toBeNull();
    // The stray closing marker is consumed; the fake opening tag stays text.
    expect(container.textContent).toBe('jazz <b>bold</b> <mark class="x">no');
  });
  it("the_servers_html_escaping_is_decoded_into_text", () => {
    const { container } = render(<Highlight text={"Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt; &#39;<mark>tone</mark>&#39; &lt;mark&gt;x&lt;/mark&gt;"} />);
    expect(container.textContent).toBe("Tom & Jerry <script>alert(1)</script> 'tone' <mark>x</mark>");
    expect(container.querySelectorAll("mark")).toHaveLength(1);
    expect(container.querySelector("script")).toBeNull();
  });
  it("unbalanced_markers_are_tolerated", () => {
    expect(highlightParts("</mark>x<mark>y")).toEqual([
      { text: "x", mark: false },
      { text: "y", mark: true },
    ]);
  });
});

describe("search helpers", () => {
  it("query_keeps_only_known_parameters", () => {
    const q = searchQuery(new URLSearchParams("q=tone&kind=podcast&category_id=c1&evil=1&sort=newest"), "tok");
    const p = new URLSearchParams(q.split("?")[1]);
    expect(q.startsWith("/v1/search?")).toBe(true);
    expect(Object.fromEntries(p)).toEqual({ q: "tone", sort: "newest", kind: "podcast", category_id: "c1", page_size: "20", page_token: "tok" });
  });
  it("facets_accept_maps_and_lists_largest_first", () => {
    expect(facetEntries({ en: 2, fr: 5, "": 1 })).toEqual([["fr", 5], ["en", 2]]);
    expect(facetEntries([{ value: "a", count: 1 }, { value: "b", count: 3 }])).toEqual([["b", 3], ["a", 1]]);
  });
  it("passages_link_to_their_page_chapter_or_time", () => {
    expect(passageLink("m 1", { snippet: "", page: 4 })).toBe("/media/m%201?page=4");
    expect(passageLink("m1", { snippet: "", chapter: "ch2.xhtml" })).toBe("/media/m1?chapter=ch2.xhtml");
    expect(passageLink("m1", { snippet: "", position: 7 }, "sea wall")).toBe("/media/m1?pos=7&q=sea%20wall");
    expect(epubTarget({ chapter: "3" })).toBe(2); // chapters are 1-based, the spine 0-based
    expect(epubTarget({ chapter: 1 })).toBe(0);
    expect(sectionFor([1000, 2000, 500], 0)).toBe(0);
    expect(sectionFor([1000, 2000, 500], 1500)).toBe(1);
    expect(sectionFor([1000, 2000, 500], 3000)).toBe(2);
    expect(sectionFor([1000, 2000, 500], 99999)).toBe(2);
    expect(passageSpan([1000, 2000, 500], 1)).toEqual([0, 1]); // chars 0..1499
    expect(passageSpan([100, 100, 100], 1)).toEqual([0, 2]);
    expect(passageSpan([1000, 2000, 500], 3)).toEqual([2, 2]); // chars 3000..4499
    expect(epubTarget({ chapter: "ch2.xhtml", position: "epubcfi(/6/4)" })).toBe("epubcfi(/6/4)");
  });
  it("suggestions_become_links_by_type", () => {
    expect(
      normalizeSuggestions({
        items: [
          { type: "media", id: "m1", text: "Tone" },
          { type: "author", id: "a1", text: "Ada" },
          { type: "tag", text: "jazz age" },
          { text: "" },
          { kind: "other", title: "free text" },
        ],
      }),
    ).toEqual([
      { label: "Tone", type: "media", href: "/media/m1" },
      { label: "Ada", type: "author", href: "/authors/a1" },
      { label: "jazz age", type: "tag", href: "/tags/jazz%20age" },
      { label: "free text", type: "other", href: "/search?q=free%20text" },
    ]);
  });
});

describe("search box", () => {
  it("is_a_keyboard_combobox_over_suggestions", async () => {
    handler = (url) =>
      url.startsWith("/v1/search/suggest?q=to")
        ? json({ items: [{ type: "media", id: "m1", text: "Tone" }, { type: "author", id: "a1", text: "Tom" }] })
        : undefined;
    const router = renderAt("/");
    const box = await screen.findByRole("combobox", { name: "Search" });
    await userEvent.type(box, "to");
    const list = await screen.findByRole("listbox");
    await waitFor(() => expect(within(list).getAllByRole("option")).toHaveLength(2));
    expect(box).toHaveAttribute("aria-expanded", "true");
    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    const active = box.getAttribute("aria-activedescendant")!;
    expect(document.getElementById(active)).toHaveTextContent("Tom");
    expect(document.getElementById(active)).toHaveAttribute("aria-selected", "true");
    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/authors/a1"));
  });
  it("without_the_search_target_enter_still_searches", async () => {
    const router = renderAt("/");
    const box = await screen.findByRole("combobox", { name: "Search" });
    await userEvent.type(box, "tone{Escape}");
    expect(box).toHaveAttribute("aria-expanded", "false");
    await userEvent.type(box, "{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/search"));
    expect(router.state.location.search).toBe("?q=tone");
    expect(await screen.findByText(/Search is not available on this server yet/)).toBeInTheDocument();
  });
});

describe("search page", () => {
  const page1 = {
    items: [
      {
        media: media({ id: "m1", title: "Tone poem" }),
        score: 1,
        highlights: { title: "<mark>Tone</mark> poem", content: [{ snippet: "a <mark>tone</mark> <script>x</script>", page: 7 }] },
      },
    ],
    facets: { kind: { podcast: 1, book: 2 }, language: { en: 3 } },
    total: 3,
    next_page_token: "next1",
  };
  it("shows_highlighted_hits_facets_and_pages_on", async () => {
    handler = (url) => {
      if (url.startsWith("/v1/search?") && url.includes("page_token=next1")) return json({ items: [{ media: media({ id: "m2", title: "Second" }) }], facets: {}, total: 3 });
      if (url.startsWith("/v1/search?")) return json(page1);
      return undefined;
    };
    const router = renderAt("/search?q=tone&sort=newest");
    expect(await screen.findByRole("heading", { name: "Results: 3" })).toBeInTheDocument();
    const first = calls((u) => u.startsWith("/v1/search?"))[0].url;
    expect(first).toContain("q=tone");
    expect(first).toContain("sort=newest");
    const hit = screen.getByRole("link", { name: "Tone poem" });
    expect(hit.querySelector("mark")).toHaveTextContent("Tone");
    expect(document.querySelector("main script")).toBeNull();
    expect(screen.getByRole("link", { name: "Page 7" })).toHaveAttribute("href", "/media/m1?page=7");
    // A facet toggle writes the filter into the URL, which drives the query.
    const book = screen.getByRole("button", { name: /Book \(2\)/ });
    expect(book).toHaveAttribute("aria-pressed", "false");
    await userEvent.click(book);
    await waitFor(() => expect(router.state.location.search).toContain("kind=book"));
    await waitFor(() => expect(calls((u) => u.includes("kind=book")).length).toBeGreaterThan(0));
    expect(await screen.findByRole("button", { name: /Book \(2\)/, pressed: true })).toBeInTheDocument();
    // Keyset paging: "more" sends the server's token.
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Second")).toBeInTheDocument();
  });
  it("a_missing_search_target_gives_a_calm_message", async () => {
    handler = (url) => (url.startsWith("/v1/search?") ? json({ status: 502, title: "Bad Gateway" }, 502) : undefined);
    renderAt("/search?q=x");
    expect(await screen.findByText(/Search is not available/)).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("search inside", () => {
  it("lists_passages_and_jumps_to_their_page", async () => {
    handler = (url) => (url === "/v1/media/m1/search?q=tone" ? json({ items: [{ snippet: "the <mark>tone</mark>", page: 12 }] }) : undefined);
    const onJump = vi.fn();
    render(
      <I18nProvider locale="en">
        <SearchInside mediaId="m1" onJump={onJump} />
      </I18nProvider>,
    );
    await userEvent.type(screen.getByLabelText("Find in this item"), "tone{Enter}");
    expect(await screen.findByText("Passages found: 1")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: /Page 12/ }));
    expect(onJump).toHaveBeenCalledWith({ snippet: "the <mark>tone</mark>", page: 12 }, "tone");
  });
  it("says_so_when_search_is_absent", async () => {
    render(
      <I18nProvider locale="en">
        <SearchInside mediaId="m1" onJump={() => {}} />
      </I18nProvider>,
    );
    await userEvent.type(screen.getByLabelText("Find in this item"), "tone{Enter}");
    expect(await screen.findByText(/not available on this server/)).toBeInTheDocument();
  });
});

describe("follow, like, stats, report", () => {
  it("author_page_follows_and_shows_stats_and_feeds", async () => {
    let following = false;
    handler = (url, init) => {
      if (url.startsWith("/v1/users/me/follows?type=author&page_size=100&page_token=p2")) return json({ items: following ? [{ type: "author", id: "a1" }] : [] });
      if (url.startsWith("/v1/users/me/follows?type=author")) return json({ items: [{ type: "author", id: "a0" }], next_page_token: "p2" });
      if (url === "/v1/users/me/follows/author/a1") {
        following = init.method === "PUT";
        return json(undefined, 204);
      }
      if (url === "/v1/authors/a1/stats") return json({ followers: following ? 4 : 3, views: 10, likes: 2 });
      if (url.startsWith("/v1/media?author_id=a1&kind=podcast")) return json({ items: [media()] });
      if (url.startsWith("/feeds/authors/a1/") && init.method === "HEAD") return new Response(null, { status: 200 });
      return undefined;
    };
    renderAt("/authors/a1", { signedIn: true });
    const button = await screen.findByRole("button", { name: "Follow Ada" });
    expect(button).toHaveAttribute("aria-pressed", "false");
    expect(await screen.findByTestId("author-stats")).toHaveTextContent("Followers: 3 · Views: 10 · Likes: 2");
    await userEvent.click(button);
    expect(await screen.findByRole("button", { name: "Stop following Ada" })).toHaveAttribute("aria-pressed", "true");
    expect(calls((u, m) => u === "/v1/users/me/follows/author/a1" && m === "PUT")).toHaveLength(1);
    await waitFor(() => expect(screen.getByTestId("author-stats")).toHaveTextContent("Followers: 4"));
    expect(await screen.findByRole("link", { name: "Podcast feed (RSS)" })).toHaveAttribute("href", "/feeds/authors/a1/podcast.xml");
    expect(screen.getByRole("link", { name: "Atom feed" })).toHaveAttribute("href", "/feeds/authors/a1/atom.xml");
    expect(document.querySelector('link[rel=alternate][type="application/rss+xml"]')).toHaveAttribute("href", "/feeds/authors/a1/podcast.xml");
  });
  it("without_engagement_the_author_page_has_no_follow_or_stats", async () => {
    renderAt("/authors/a1", { signedIn: true });
    expect(await screen.findByRole("heading", { name: "Ada" })).toBeInTheDocument();
    await waitFor(() => expect(calls((u) => u.startsWith("/v1/users/me/follows")).length).toBeGreaterThan(0));
    expect(screen.queryByRole("button", { name: /Follow/ })).toBeNull();
    expect(screen.queryByTestId("author-stats")).toBeNull();
    expect(screen.queryByRole("link", { name: "Atom feed" })).toBeNull();
  });
  it("tag_page_follows_the_tag", async () => {
    handler = (url) => {
      if (url.startsWith("/v1/users/me/follows?")) return json({ items: [{ target_type: "tag", target_id: "jazz age" }] });
      if (url === "/v1/users/me/follows/tag/jazz%20age") return json(undefined, 204);
      return undefined;
    };
    renderAt("/tags/jazz%20age", { signedIn: true });
    const b = await screen.findByRole("button", { name: "Stop following jazz age" });
    await userEvent.click(b);
    await screen.findByRole("button", { name: "Follow jazz age" });
    expect(calls((u, m) => u === "/v1/users/me/follows/tag/jazz%20age" && m === "DELETE")).toHaveLength(1);
  });
  it("item_page_likes_adds_to_a_collection_and_reports", async () => {
    handler = (url, init) => {
      if (url === "/v1/media/m1/stats") return json({ views: 5, unique_viewers: 4, likes: 1, completions: 0, liked_by_me: false });
      if (url === "/v1/media/m1/like") return json(undefined, 204);
      if (url.startsWith("/v1/collections?")) return json({ items: [{ id: "c2", name: "Road trip" }, { id: "c1", name: "saved", saved: true }] });
      if (url === "/v1/collections/c2/items" && init.method === "POST") return json({ media_id: "m1" }, 201);
      if (url === "/v1/reports") return json({ id: "r1" }, 201);
      return undefined;
    };
    renderAt("/media/m1", { signedIn: true });
    const stats = await screen.findByTestId("media-stats");
    expect(stats).toHaveTextContent("Views: 5");
    await userEvent.click(within(stats).getByRole("button", { name: "Like" }));
    expect(await within(stats).findByRole("button", { name: "Liked" })).toHaveAttribute("aria-pressed", "true");
    expect(stats).toHaveTextContent("Likes: 2");
    expect(calls((u, m) => u === "/v1/media/m1/like" && m === "PUT")).toHaveLength(1);
    // The saved collection comes first; another one is chosen.
    const select = await screen.findByLabelText("Add to collection");
    expect((select as HTMLSelectElement).options[0].text).toBe("Saved");
    await userEvent.selectOptions(select, "c2");
    await userEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(await screen.findByText("Added.")).toBeInTheDocument();
    expect(JSON.parse(String(calls((u, m) => u === "/v1/collections/c2/items" && m === "POST")[0].init.body))).toEqual({ media_id: "m1" });
    // Reporting: a small form, then a calm confirmation.
    await userEvent.click(screen.getByRole("button", { name: "Report" }));
    const dialog = screen.getByRole("dialog", { name: "Report this to the moderators" });
    await waitFor(() => expect(within(dialog).getByLabelText("Reason")).toHaveFocus());
    await userEvent.selectOptions(within(dialog).getByLabelText("Reason"), "copyright");
    await userEvent.type(within(dialog).getByLabelText("Details (optional)"), "my book");
    await userEvent.click(within(dialog).getByRole("button", { name: "Send the report" }));
    expect(await screen.findByText(/a moderator will look at it/)).toBeInTheDocument();
    expect(JSON.parse(String(calls((u) => u === "/v1/reports")[0].init.body))).toEqual({
      target_type: "media",
      target_id: "m1",
      reason: "copyright",
      note: "my book",
    });
    expect(screen.getByRole("link", { name: "jazz" })).toHaveAttribute("href", "/tags/jazz");
  });
  it("signed_out_readers_see_counts_but_no_like_or_report", async () => {
    handler = (url) => (url === "/v1/media/m1/stats" ? json({ views: 5, unique_viewers: 4, likes: 1, completions: 0 }) : undefined);
    renderAt("/media/m1");
    const stats = await screen.findByTestId("media-stats");
    expect(within(stats).queryByRole("button")).toBeNull();
    expect(screen.queryByRole("button", { name: "Report" })).toBeNull();
  });
});

describe("home shelves", () => {
  it("continue_and_for_you_for_a_signed_in_user", async () => {
    handler = (url) => {
      if (url.startsWith("/v1/users/me/progress?state=in_progress")) return json({ items: [{ media_id: "m1", seconds: 65 }, { media_id: "m9", page: 3, pages: 10, media: media({ id: "m9", title: "A book", kind: "book" }) }] });
      if (url.startsWith("/v1/users/me/feed"))
        return json({ items: [{ media_id: "m5", kind: "video", title: "New from Ada", author_ids: ["a1"], published_at: "2026-02-01T00:00:00Z" }] });
      return undefined;
    };
    renderAt("/", { signedIn: true });
    const cont = await screen.findByRole("region", { name: "Continue" });
    expect(await within(cont).findByText("A title")).toBeInTheDocument();
    expect(within(cont).getByText(/at 1:05/)).toBeInTheDocument();
    expect(within(cont).getByText(/Page 3 of 10/)).toBeInTheDocument();
    const forYou = await screen.findByRole("region", { name: "For you" });
    expect(within(forYou).getByRole("link", { name: /New from Ada/ })).toHaveAttribute("href", "/media/m5");
    expect(within(forYou).getByText("Video")).toBeInTheDocument();
  });
  it("no_personal_shelves_or_opds_link_without_their_targets", async () => {
    renderAt("/", { signedIn: true });
    await screen.findByRole("heading", { name: "New on Alexandria" });
    await waitFor(() => expect(calls((u) => u.startsWith("/v1/users/me/feed")).length).toBe(1));
    expect(screen.queryByRole("heading", { name: "For you" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Continue" })).toBeNull();
    await waitFor(() => expect(calls((u, m) => u === "/opds/v1.2/catalog" && m === "HEAD")).toHaveLength(1));
    expect(screen.queryByRole("link", { name: "OPDS catalog" })).toBeNull();
    expect(screen.getByRole("link", { name: "API" })).toHaveAttribute("href", "/docs");
  });
  it("footer_links_the_opds_catalog_once_feeds_answers", async () => {
    handler = (url, init) => (url === "/opds/v1.2/catalog" && init.method === "HEAD" ? new Response(null, { status: 200 }) : undefined);
    renderAt("/");
    expect(await screen.findByRole("link", { name: "OPDS catalog" })).toHaveAttribute("href", "/opds/v1.2/catalog");
  });
});

describe("collections", () => {
  it("moved_swaps_neighbours_and_stops_at_the_ends", () => {
    expect(moved([1, 2, 3], 0, 1)).toEqual([2, 1, 3]);
    const same = [1, 2];
    expect(moved(same, 0, -1)).toBe(same);
  });
  it("reorders_with_up_down_buttons_and_removes", async () => {
    let items = [
      { media_id: "m1", media: media({ id: "m1", title: "First" }) },
      { media_id: "m2", media: media({ id: "m2", title: "Second" }) },
    ];
    handler = (url, init) => {
      if (url === "/v1/collections/c2") return json({ id: "c2", name: "Road trip", owner_id: "u1", visibility: "private" });
      if (url === "/v1/collections/c2/items?page_size=100") return json({ items: items.slice(0, 1), next_page_token: "t2" });
      if (url === "/v1/collections/c2/items?page_size=100&page_token=t2") return json({ items: items.slice(1) });
      if (url === "/v1/collections/c2/items" && init.method === "PUT") {
        const order: string[] = JSON.parse(String(init.body)).media_ids;
        items = order.map((id) => items.find((i) => i.media_id === id)!);
        return json(undefined, 204);
      }
      if (url === "/v1/collections/c2/items/m1" && init.method === "DELETE") {
        items = items.filter((i) => i.media_id !== "m1");
        return json(undefined, 204);
      }
      return undefined;
    };
    renderAt("/collections/c2", { signedIn: true });
    await screen.findByRole("heading", { name: "Road trip" });
    const list = await screen.findByTestId("collection-items");
    await userEvent.click(await within(list).findByRole("button", { name: "Move item 2 up" }));
    expect(JSON.parse(String(calls((u, m) => u === "/v1/collections/c2/items" && m === "PUT")[0].init.body))).toEqual({ media_ids: ["m2", "m1"] });
    await waitFor(() => expect(within(list).getAllByRole("link").map((a) => a.textContent)).toEqual(["Second", "First"]));
    expect(screen.getByText("Moved to position 1 of 2.")).toBeInTheDocument();
    const firstRow = within(list).getAllByRole("listitem")[1];
    await userEvent.click(within(firstRow).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(within(list).getAllByRole("link").map((a) => a.textContent)).toEqual(["Second"]));
  });
  it("lists_creates_renames_and_publishes", async () => {
    let cols = [{ id: "c1", name: "saved", saved: true, visibility: "private" }, { id: "c2", name: "Road trip", visibility: "private" }];
    handler = (url, init) => {
      if (url.startsWith("/v1/collections?")) return json({ items: cols });
      if (url === "/v1/collections" && init.method === "POST") {
        const b = JSON.parse(String(init.body));
        cols = [...cols, { id: "c3", ...b }];
        return json(cols[2], 201);
      }
      if (url === "/v1/collections/c2" && init.method === "PATCH") {
        cols = cols.map((c) => (c.id === "c2" ? { ...c, ...JSON.parse(String(init.body)) } : c));
        return json(cols[1]);
      }
      return undefined;
    };
    renderAt("/collections", { signedIn: true });
    expect(await screen.findByRole("link", { name: "Saved" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete: Saved" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Make public: Road trip" }));
    await screen.findByRole("button", { name: "Make private: Road trip" });
    await userEvent.click(screen.getByRole("button", { name: "Rename: Road trip" }));
    const name = screen.getAllByLabelText("Name")[0];
    await userEvent.clear(name);
    await userEvent.type(name, "Summer{Enter}");
    expect(await screen.findByRole("link", { name: "Summer" })).toBeInTheDocument();
    const form = screen.getByRole("button", { name: "Create" }).closest("form")!;
    await userEvent.type(within(form).getByLabelText("Name"), "Later");
    await userEvent.selectOptions(within(form).getByLabelText("Visibility"), "public");
    await userEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect(await screen.findByRole("link", { name: "Later" })).toBeInTheDocument();
    expect(JSON.parse(String(calls((u, m) => u === "/v1/collections" && m === "POST")[0].init.body))).toEqual({ name: "Later", visibility: "public" });
  });
});

describe("moderation", () => {
  it("reports_queue_resolves", async () => {
    let open = [{ id: "r1", target_type: "media", target_id: "m1", reason: "spam", note: "<i>buy</i>", state: "open" }];
    handler = (url, init) => {
      if (url.startsWith("/v1/admin/reports?state=open")) return json({ items: open });
      if (url === "/v1/admin/reports/r1/resolve" && init.method === "POST") {
        open = [];
        return json({ id: "r1", state: "resolved" });
      }
      if (url.startsWith("/v1/media?status=removed")) return json({ items: [] });
      return undefined;
    };
    renderAt("/admin", { signedIn: true });
    const queue = await screen.findByTestId("reports");
    expect(within(queue).getByText(/<i>buy<\/i>/)).toBeInTheDocument();
    await userEvent.click(within(queue).getByRole("button", { name: "Remove" }));
    expect(await screen.findByText("No open reports.")).toBeInTheDocument();
    expect(JSON.parse(String(calls((u) => u.endsWith("/resolve"))[0].init.body))).toEqual({ action: "remove" });
    expect(actionsFor({ target_type: "user" })).toEqual(["dismiss", "suspend"]);
  });
  it("no_queue_without_engagement", async () => {
    handler = (url) => (url.startsWith("/v1/media?status=removed") ? json({ items: [] }) : undefined);
    renderAt("/admin", { signedIn: true });
    await screen.findByRole("heading", { name: "Removed media" });
    await waitFor(() => expect(calls((u) => u.startsWith("/v1/admin/reports")).length).toBe(1));
    expect(screen.queryByRole("heading", { name: "Open reports" })).toBeNull();
  });
});

describe("tracking", () => {
  let tracker: ReturnType<typeof useTracker>;
  function Probe({ mode }: { mode: "play" | "read" }) {
    tracker = useTracker("m1", mode);
    return null;
  }
  async function mount(mode: "play" | "read") {
    document.cookie = "alx_csrf=c1";
    const client = new QueryClient();
    const r = render(
      <Providers client={client}>
        <Probe mode={mode} />
      </Providers>,
    );
    await waitFor(() => expect(calls((u) => u === "/v1/auth/session/refresh").length).toBe(1));
    await act(async () => {});
    return r;
  }
  it("a_view_is_reported_after_10_seconds_of_real_play", async () => {
    handler = (url) => (url.startsWith("/v1/media/m1/views") || url.startsWith("/v1/users/me/progress/") ? json(undefined, 204) : undefined);
    await mount("play");
    tracker.played(4);
    tracker.played(30); // a seek, not play
    tracker.played(4);
    expect(calls((u) => u === "/v1/media/m1/views")).toHaveLength(0);
    tracker.played(3);
    const views = calls((u) => u === "/v1/media/m1/views");
    expect(views).toHaveLength(1);
    expect(views[0].init.method).toBe("POST");
    expect(JSON.parse(String(views[0].init.body))).toEqual({ seconds_played: 11 });
    tracker.played(4);
    expect(calls((u) => u === "/v1/media/m1/views")).toHaveLength(1);
  });
  it("a_read_is_reported_after_30_seconds_of_visible_reading", async () => {
    handler = (url) => (url.startsWith("/v1/media/m1/views") || url.startsWith("/v1/users/me/progress/") ? json(undefined, 204) : undefined);
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
    await mount("read");
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const t0 = Date.now();
      tracker.pageSeen(1);
      tracker.pageSeen(2);
      vi.setSystemTime(t0 + 29_000);
      tracker.tick();
      expect(calls((u) => u === "/v1/media/m1/views")).toHaveLength(0);
      vi.setSystemTime(t0 + 31_000);
      tracker.tick();
      const views = calls((u) => u === "/v1/media/m1/views");
      expect(views).toHaveLength(1);
      const body = JSON.parse(String(views[0].init.body));
      expect(body.pages_read).toBe(2);
      expect(body.seconds_read).toBeGreaterThanOrEqual(30);
      tracker.tick();
      expect(calls((u) => u === "/v1/media/m1/views")).toHaveLength(1);
    } finally {
      vi.useRealTimers();
      delete (document as unknown as Record<string, unknown>).visibilityState;
    }
  });
  it("progress_is_saved_throttled_and_on_flush", async () => {
    handler = (url) => (url.startsWith("/v1/users/me/progress/m1") ? json(undefined, 204) : undefined);
    const r = await mount("play");
    const put = () => calls((u, m) => u === "/v1/users/me/progress/m1" && m === "PUT");
    const at = (p: Position) => tracker.position(p);
    at({ seconds: 1 });
    at({ seconds: 2 });
    at({ seconds: 3 });
    expect(put()).toHaveLength(1);
    tracker.flush();
    expect(put()).toHaveLength(2);
    const body = JSON.parse(String(put()[1].init.body));
    expect(body.seconds).toBe(3);
    expect(body.device).toMatch(/^web-/);
    expect(new Date(body.client_time).getTime()).toBeGreaterThan(0);
    tracker.flush(); // nothing new: nothing sent
    expect(put()).toHaveLength(2);
    at({ seconds: 9 });
    r.unmount(); // leaving the page saves the last position
    expect(put()).toHaveLength(3);
  });
  it("a_missing_engagement_target_silences_progress", async () => {
    await mount("read");
    tracker.position({ page: 2, pages: 9 });
    await waitFor(() => expect(calls((u) => u === "/v1/users/me/progress/m1")).toHaveLength(1));
    await act(async () => {});
    tracker.position({ page: 3, pages: 9 });
    tracker.flush();
    expect(calls((u) => u === "/v1/users/me/progress/m1")).toHaveLength(1);
  });
  it("signed_out_readers_save_no_progress", async () => {
    const client = new QueryClient();
    render(
      <Providers client={client}>
        <Probe mode="read" />
      </Providers>,
    );
    await act(async () => {});
    tracker.position({ page: 2, pages: 9 });
    tracker.flush();
    expect(calls((u) => u.startsWith("/v1/users/me/progress"))).toHaveLength(0);
    fireEvent(window, new Event("pagehide"));
    expect(calls((u) => u.startsWith("/v1/users/me/progress"))).toHaveLength(0);
  });
});
