// Client side of the notify target (issue 12): the unread count, kept live by
// the SSE stream. The stream needs the bearer token, which EventSource cannot
// send, so it is read with fetch (a ReadableStream parsed as SSE, with
// Last-Event-ID on reconnects). Without a stream the count is polled.
import { getToken, optional } from "./api";

export type Notification = {
  id: string;
  type: string;
  title: string;
  body: string;
  subject: string;
  created_at: string;
  read_at: string | null;
};

export const notificationTypes = ["media.published", "media.processed", "media.failed", "author.member.added", "report.resolved"] as const;
export const channels = ["in_app", "email", "push"] as const;
export type Preference = { type: string; channel: string; enabled: boolean };
export type Preferences = {
  preferences: Preference[];
  email_digest: "off" | "daily" | "weekly";
  quiet_hours: { start: string; end: string } | null;
  time_zone: string;
};

export const unreadCount = () => optional<{ unread: number }>("/v1/users/me/notifications/unread-count");

/** subjectLink turns "media/<id>" or "author/<id>" into an app path. */
export function subjectLink(subject: string): string | null {
  const m = subject.match(/^(media|author)\/([\w-]+)$/);
  if (!m) return null;
  return m[1] === "media" ? `/media/${m[2]}` : `/authors/${m[2]}`;
}

export type SSEEvent = { id?: string; event: string; data: string };

/** parseSSE splits a buffer into complete events; the rest is returned. */
export function parseSSE(buffer: string): { events: SSEEvent[]; rest: string } {
  const events: SSEEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    const ev: SSEEvent = { event: "message", data: "" };
    const data: string[] = [];
    let any = false;
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "data") {
        data.push(value);
        any = true;
      } else if (field === "event") ev.event = value;
      else if (field === "id") ev.id = value;
    }
    if (any) {
      ev.data = data.join("\n");
      events.push(ev);
    }
  }
  return { events, rest };
}

/** streamNotifications reads the SSE stream until signal aborts. It calls
 * onEvent for each notification and reconnects (with Last-Event-ID) after a
 * drop; it resolves false at once when the stream is not there (the target
 * is absent or the gateway refuses), so that the caller polls instead. */
export async function streamNotifications(onEvent: (n: Notification) => void, signal: AbortSignal, onOpen?: () => void): Promise<boolean> {
  let last = "";
  let failures = 0;
  while (!signal.aborted) {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    const tok = getToken();
    if (tok) headers.Authorization = `Bearer ${tok}`;
    if (last) headers["Last-Event-ID"] = last;
    let res: Response;
    try {
      res = await fetch("/v1/users/me/notifications/stream", { headers, credentials: "same-origin", signal, cache: "no-store" });
    } catch {
      if (signal.aborted) return true;
      if (++failures > 3) return false;
      await wait(2000 * failures, signal);
      continue;
    }
    if (!res.ok || !res.body || !(res.headers.get("Content-Type") ?? "").startsWith("text/event-stream")) {
      // 401: the token expired; the next round of the caller refreshes it.
      return false;
    }
    failures = 0;
    onOpen?.();
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        const { events, rest } = parseSSE(buf);
        buf = rest;
        for (const ev of events) {
          if (ev.id) last = ev.id;
          if (ev.event !== "notification") continue;
          try {
            onEvent(JSON.parse(ev.data) as Notification);
          } catch {
            /* a malformed event is skipped */
          }
        }
      }
    } catch {
      if (signal.aborted) return true;
    }
    await wait(2000, signal);
  }
  return true;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    const t = setTimeout(ok, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      ok();
    });
  });
}

/** urlBase64ToBytes decodes the VAPID public key for PushManager.subscribe. */
export function urlBase64ToBytes(s: string): Uint8Array {
  const b64 = (s + "=".repeat((4 - (s.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
