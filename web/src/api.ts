// The API client. The access token lives in this module's memory only; the
// refresh token is an HttpOnly cookie the browser sends to
// /v1/auth/session/refresh, guarded by a double-submit CSRF token.

export type Problem = {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: { field?: string; location?: string; message: string }[];
};

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
  }
  /** fieldErrors maps a field name to its message, for forms. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) out[e.field || e.location || ""] = e.message;
    return out;
  }
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

export function onAuthChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function setToken(t: string | null) {
  accessToken = t;
  listeners.forEach((fn) => fn());
}
export function hasToken(): boolean {
  return accessToken !== null;
}
export function getToken(): string | null {
  return accessToken;
}

/** claims decodes the access token's payload (not verified: display only). */
export function claims(): { sub: string; roles: string[]; exp: number } | null {
  if (!accessToken) return null;
  try {
    const part = accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

export function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)alx_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

async function problemOf(res: Response): Promise<ApiError> {
  let p: Problem = { status: res.status, title: res.statusText };
  try {
    p = { ...p, ...(await res.json()) };
  } catch {
    /* not JSON */
  }
  return new ApiError(p);
}

type Options = { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal };

async function send(path: string, o: Options): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...o.headers };
  if (o.body !== undefined) headers["Content-Type"] = "application/json";
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(path, {
    method: o.method ?? "GET",
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    credentials: "same-origin",
    signal: o.signal,
  });
}

/** api calls the JSON API, refreshing the session once on a 401. */
export async function api<T>(path: string, o: Options = {}): Promise<T> {
  let res = await send(path, o);
  if (res.status === 401 && accessToken !== null && (await refreshSession())) {
    res = await send(path, o);
  }
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  // 201/202 may come without a body.
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** apiWithETag returns the body and its ETag (for If-Match on updates). */
export async function apiWithETag<T>(path: string): Promise<{ data: T; etag: string }> {
  let res = await send(path, {});
  if (res.status === 401 && accessToken !== null && (await refreshSession())) res = await send(path, {});
  if (!res.ok) throw await problemOf(res);
  return { data: (await res.json()) as T, etag: res.headers.get("ETag") ?? "" };
}

type TokenAnswer = { access_token: string; expires_in: number };

/** A passkey's answer to a sign-in ceremony, given as a second factor. */
export type PasskeyAnswer = { ceremony?: string; credential: Record<string, unknown> };

/** signIn opens a browser session; `second` is the second factor for
 * accounts that have one: a code from the authenticator app or a recovery
 * code (a string), or a passkey's answer. */
export async function signIn(email: string, password: string, second?: string | { passkey: PasskeyAnswer }): Promise<void> {
  const body: Record<string, unknown> = { email, password };
  if (typeof second === "string" && second) body.otp = second;
  else if (second && typeof second === "object") body.passkey = second.passkey;
  const res = await fetch("/v1/auth/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!res.ok) throw await problemOf(res);
  setToken(((await res.json()) as TokenAnswer).access_token);
}

/** needsSecondFactor tells whether a sign-in was refused for want of (or
 * with a wrong) second factor: a 401 naming the otp field. */
export function needsSecondFactor(err: unknown): boolean {
  return secondFactors(err).length > 0;
}

/** secondFactors lists the ways a refused sign-in may give its second
 * factor, from the 401's errors: "otp" and, when the account has a passkey,
 * "passkey". */
export function secondFactors(err: unknown): ("otp" | "passkey")[] {
  if (!(err instanceof ApiError) || err.problem.status !== 401) return [];
  const ways = new Set<"otp" | "passkey">();
  for (const e of err.problem.errors ?? []) {
    const m = /(?:^|\.)(otp|passkey)$/.exec(e.field || e.location || "");
    if (m) ways.add(m[1] as "otp" | "passkey");
  }
  return [...ways];
}

/** adoptSession keeps an access token a sign-in answered with (passkeys). */
export function adoptSession(token: string): void {
  setToken(token);
}

/** refreshSession trades the refresh cookie for a new access token. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      if (!csrfToken()) return false;
      try {
        const res = await fetch("/v1/auth/session/refresh", {
          method: "POST",
          headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!res.ok) {
          setToken(null);
          return false;
        }
        setToken(((await res.json()) as TokenAnswer).access_token);
        return true;
      } catch {
        return false;
      }
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

export async function signOut(): Promise<void> {
  try {
    await fetch("/v1/auth/session", {
      method: "DELETE",
      headers: { "X-CSRF-Token": csrfToken() },
      credentials: "same-origin",
    });
  } finally {
    setToken(null);
  }
}

/** mediaURL is where a player fetches a file: the public address for
 * published items, a signed, expiring link otherwise (a media element cannot
 * send an Authorization header). */
export async function fileURL(mediaId: string, path: string, published: boolean): Promise<string> {
  if (published || !accessToken) return path;
  const link = await api<{ url: string }>(`/v1/media/${encodeURIComponent(mediaId)}/content/links`, {
    method: "POST",
    body: { expires_in_seconds: 3600 },
  });
  return link.url;
}

/** streamURL is where a video player reads the item's HLS master playlist:
 * its public address for published items; for the others, the playlist under
 * a signed link's `derivatives_url` (the link is in the path, so the media
 * playlists and segments the playlist names resolve under it with no token). */
export async function streamURL(mediaId: string, hlsURL: string, published: boolean): Promise<string> {
  if (published || !accessToken) return hlsURL;
  const link = await api<{ url: string; derivatives_url?: string }>(`/v1/media/${encodeURIComponent(mediaId)}/content/links`, {
    method: "POST",
    body: { expires_in_seconds: 3600 },
  });
  if (!link.derivatives_url) throw new Error("the signed link names no derivatives");
  return link.derivatives_url.replace(/\/?$/, "/") + "hls.m3u8";
}

/** unavailable tells whether an error means "this feature is not deployed
 * here" (the target is absent, or the gateway cannot reach it) rather than a
 * real failure: 404, 405, 501, 502, 503, 504, or no answer at all. Screens of
 * optional targets (search, engagement, feeds) hide themselves then. */
export function unavailable(err: unknown): boolean {
  if (err instanceof ApiError) return [404, 405, 501, 502, 503, 504].includes(err.problem.status);
  return err instanceof TypeError; // fetch could not reach the server
}

/** optional calls an optional target's endpoint: null when the target is not
 * there (see unavailable), the answer otherwise; other errors are thrown. */
export async function optional<T>(path: string, o: Options = {}): Promise<T | null> {
  try {
    return await api<T>(path, o);
  } catch (e) {
    if (unavailable(e)) return null;
    throw e;
  }
}

/** beacon sends a small JSON body that must survive the page going away
 * (views and progress on unload): fetch with keepalive, with the token. */
export function beacon(path: string, method: string, body: unknown): void {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    void fetch(path, { method, headers, body: JSON.stringify(body), credentials: "same-origin", keepalive: true }).catch(() => {});
  } catch {
    /* best effort */
  }
}
