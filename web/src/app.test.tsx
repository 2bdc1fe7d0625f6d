import { QueryClient } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { routes, Providers } from "./App";
import { MediaCard } from "./components/MediaCard";
import { catalogs, format, I18nProvider } from "./i18n";
import { peaksOf } from "./players/AudioPlayer";
import { safeHref } from "./pages/Author";
import type { Media } from "./types";

const media = (over: Partial<Media> = {}): Media => ({
  id: "m1",
  title: "A title",
  description: "",
  kind: "podcast",
  language: "en",
  author_ids: ["a1"],
  category_ids: [],
  tags: [],
  license: "",
  status: "published",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  version: 1,
  ...over,
});

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return router;
}

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  localStorage.clear();
  localStorage.setItem("alexandria.locale", "en");
  fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    if (url.startsWith("/v1/media?")) return json({ items: [media({ title: "Newest episode" })] });
    if (url.startsWith("/v1/media/m1")) return json(media({ title: "Newest episode", description: "<b>not bold</b>" }));
    if (url.startsWith("/v1/authors/a1")) return json({ id: "a1", name: "Ada", bio: "", links: [], status: "active" });
    if (url.startsWith("/v1/categories")) return json({ items: [] });
    return json({ status: 404, title: "Not Found" }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe("catalogs", () => {
  it("french_has_every_english_key", () => {
    expect(Object.keys(catalogs.fr).sort()).toEqual(Object.keys(catalogs.en).sort());
  });
  it("format_fills_placeholders_as_text", () => {
    expect(format("Page {n} of {total}", { n: 2, total: 9 })).toBe("Page 2 of 9");
  });
});

describe("MediaCard", () => {
  it("renders_user_content_as_text_never_html", () => {
    const { container } = render(
      <I18nProvider locale="en">
        <RouterProvider router={createMemoryRouter([{ path: "/", element: <ul><MediaCard media={media({ title: '<img src=x onerror="alert(1)">' })} /></ul> }])} />
      </I18nProvider>,
    );
    expect(screen.getByText('<img src=x onerror="alert(1)">')).toBeInTheDocument();
    expect(container.querySelector("img[src=x]")).toBeNull();
  });
  it("shows_the_status_of_unpublished_items", () => {
    render(
      <I18nProvider locale="fr">
        <RouterProvider router={createMemoryRouter([{ path: "/", element: <ul><MediaCard media={media({ status: "processing" })} /></ul> }])} />
      </I18nProvider>,
    );
    expect(screen.getByText(/En traitement/)).toBeInTheDocument();
  });
});

describe("pages", () => {
  it("home_lists_the_newest_media", async () => {
    renderAt("/");
    expect(await screen.findByText("Newest episode")).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith(expect.stringContaining("/v1/media?order_by=newest"), expect.anything());
  });
  it("item_page_shows_the_description_as_text", async () => {
    renderAt("/media/m1");
    expect(await screen.findByRole("heading", { name: "Newest episode" })).toBeInTheDocument();
    expect(await screen.findByText("<b>not bold</b>")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Ada" })).toHaveAttribute("href", "/authors/a1");
  });
  it("sign_in_posts_to_the_session_endpoint_and_keeps_no_token_in_storage", async () => {
    const token = ["e30", btoa(JSON.stringify({ sub: "u1", roles: ["reader"], exp: 9999999999 })), "sig"].join(".");
    fetchMock.mockImplementation(async (input: RequestInfo | URL) => {
      const url = String(input);
      if (url === "/v1/auth/session") return json({ access_token: token, expires_in: 900 });
      if (url.startsWith("/v1/media")) return json({ items: [] });
      return json({ status: 404 }, 404);
    });
    const router = renderAt("/signin");
    await userEvent.type(await screen.findByLabelText("E-mail"), "ada@example.org");
    await userEvent.type(screen.getByLabelText("Password"), "a long pass phrase");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(await screen.findByRole("button", { name: "Sign out" })).toBeInTheDocument();
    const call = fetchMock.mock.calls.find(([u]) => u === "/v1/auth/session")!;
    expect(JSON.parse(call[1].body)).toEqual({ email: "ada@example.org", password: "a long pass phrase" });
    expect(JSON.stringify({ ...localStorage })).not.toContain(token);
    expect(JSON.stringify({ ...sessionStorage })).not.toContain(token);
  });
  it("sign_in_shows_the_problem_detail", async () => {
    fetchMock.mockImplementation(async () => json({ status: 401, detail: "wrong email or password" }, 401));
    renderAt("/signin");
    await userEvent.type(await screen.findByLabelText("E-mail"), "x@example.org");
    await userEvent.type(screen.getByLabelText("Password"), "nope nope nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("wrong email or password");
  });
  it("theme_toggle_cycles_and_sets_data_theme", async () => {
    renderAt("/");
    const button = await screen.findByRole("button", { name: /Theme/ });
    await userEvent.click(button);
    expect(document.documentElement.dataset.theme).toBe("light");
    await userEvent.click(button);
    expect(document.documentElement.dataset.theme).toBe("dark");
  });
  it("unknown_route_shows_not_found", async () => {
    renderAt("/no/such/page");
    expect(await screen.findByText("This page does not exist.")).toBeInTheDocument();
  });
});

describe("helpers", () => {
  it("peaks_fold_min_max_pairs_into_bars", () => {
    const peaks = peaksOf({ channels: 1, bits: 16, length: 4, data: [-16384, 16384, 0, 0, -32768, 32767, 0, 100] }, 2);
    expect(peaks[0]).toBeCloseTo(0.5);
    expect(peaks[1]).toBeCloseTo(1);
  });
  it("safe_href_drops_javascript_urls", () => {
    expect(safeHref("javascript:alert(1)")).toBeUndefined();
    expect(safeHref("https://example.org/x")).toBe("https://example.org/x");
  });
});
