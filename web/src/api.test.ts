import { afterEach, describe, expect, it, vi } from "vitest";
import { api, getToken, signIn, signOut } from "./api";

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = "alx_csrf=; max-age=0";
});

describe("api session handling", () => {
  it("a_401_refreshes_once_with_the_csrf_header_and_retries", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    let refreshed = false;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push({ url, init });
        if (url === "/v1/auth/session") return json({ access_token: "old", expires_in: 900 });
        if (url === "/v1/auth/session/refresh") {
          refreshed = true;
          return json({ access_token: "new", expires_in: 900 });
        }
        const auth = new Headers(init?.headers).get("Authorization");
        return auth === "Bearer new" ? json({ ok: true }) : json({ status: 401 }, 401);
      }),
    );
    await signIn("a@example.org", "pass phrase long");
    document.cookie = "alx_csrf=tok123";
    expect(await api("/v1/users/me")).toEqual({ ok: true });
    expect(refreshed).toBe(true);
    const refresh = calls.find((c) => c.url === "/v1/auth/session/refresh")!;
    expect(new Headers(refresh.init?.headers).get("X-CSRF-Token")).toBe("tok123");
    expect(refresh.init?.credentials).toBe("same-origin");
    expect(getToken()).toBe("new");
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it("problems_become_errors_with_field_messages", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        json({ status: 422, detail: "validation failed", errors: [{ field: "password", message: "is too short" }] }, 422),
      ),
    );
    await expect(api("/v1/users", { method: "POST", body: {} })).rejects.toMatchObject({
      message: "validation failed",
      problem: { status: 422 },
    });
  });

  it("sign_out_forgets_the_token_even_if_the_server_is_unreachable", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json({ access_token: "t", expires_in: 900 })));
    await signIn("a@example.org", "pass phrase long");
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new Error("offline"))));
    await signOut().catch(() => {});
    expect(getToken()).toBeNull();
  });
});

describe("optional targets", () => {
  it("absent_targets_answer_null_and_real_errors_still_throw", async () => {
    const { optional, unavailable, ApiError } = await import("./api");
    const answers: Record<string, Response | Error> = {
      "/a": json({ status: 404 }, 404),
      "/b": json({ status: 502 }, 502),
      "/c": json({ status: 503 }, 503),
      "/d": new TypeError("Failed to fetch"),
      "/e": json({ status: 422, detail: "page_size: must be at most 100" }, 422),
      "/f": json({ ok: 1 }),
    };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        const a = answers[url];
        if (a instanceof Error) throw a;
        return a;
      }),
    );
    for (const p of ["/a", "/b", "/c", "/d"]) expect(await optional(p)).toBeNull();
    await expect(optional("/e")).rejects.toBeInstanceOf(ApiError);
    expect(await optional("/f")).toEqual({ ok: 1 });
    expect(unavailable(new ApiError({ status: 400 }))).toBe(false);
    expect(unavailable(new ApiError({ status: 504 }))).toBe(true);
  });
});
