// Engagement on the client: progress sync and view reporting for the players
// and readers (issue 11). Every call degrades quietly when the engagement
// target is absent: progress is then neither saved nor resumed, and views are
// not reported; nothing else changes.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { api, beacon, optional, unavailable } from "./api";
import { useSession } from "./auth";
import type { Page, Progress } from "./types";

/** A position in an item, as PUT /v1/users/me/progress/{media_id} takes it. */
export type Position = { seconds: number } | { page: number; pages: number } | { cfi: string; percent: number };

/** How often a moving position is saved while playing or reading. */
export const SAVE_EVERY_MS = 15_000;
/** The view thresholds of the counting rules: 10 s of play, 30 s of reading. */
export const PLAY_THRESHOLD_S = 10;
export const READ_THRESHOLD_S = 30;

const DEVICE = "alexandria.device"; // a label for this browser, not a secret

/** deviceName names this browser for progress records ("web-" + random). */
export function deviceName(): string {
  try {
    let d = localStorage.getItem(DEVICE);
    if (!d) {
      d = "web-" + Math.random().toString(36).slice(2, 10);
      localStorage.setItem(DEVICE, d);
    }
    return d;
  } catch {
    return "web";
  }
}

export function progressBody(p: Position, now = new Date()) {
  return { ...p, device: deviceName(), client_time: now.toISOString() };
}

export const progressKey = (state: string) => ["progress", state];

/** useProgressList reads GET /v1/users/me/progress?state=… for a signed-in
 * user; null when engagement is absent. */
export function useProgressList(state: "in_progress" | "finished") {
  const session = useSession();
  return useQuery({
    queryKey: progressKey(state),
    enabled: !!session.userId,
    queryFn: () => optional<Page<Progress>>(`/v1/users/me/progress?state=${state}&page_size=50`),
    retry: false,
  });
}

/** useSavedPosition is where this user stopped in an item (any device):
 * undefined while unknown, null when there is nothing to resume. */
export function useSavedPosition(mediaId: string): Progress | null | undefined {
  const session = useSession();
  const list = useProgressList("in_progress");
  if (!session.ready) return undefined;
  if (!session.userId) return null;
  if (list.isPending && list.fetchStatus !== "idle") return undefined;
  return list.data?.items.find((p) => p.media_id === mediaId) ?? null;
}

type Tracker = {
  /** position records where the user is (saved throttled, and on flush). */
  position: (p: Position) => void;
  /** played adds seconds of actual playback (players). */
  played: (seconds: number) => void;
  /** pageSeen records a page or chapter shown (readers). */
  pageSeen: (page: number | string) => void;
  /** flush saves the position now (pause, page hidden, unmount). */
  flush: (unloading?: boolean) => void;
  /** tick counts reading time and saves a moved position, throttled. */
  tick: () => void;
};

/** useTracker reports views (POST /v1/media/{id}/views once the counting
 * threshold is reached, then what more was seen when the page goes away) and
 * saves progress (PUT /v1/users/me/progress/{id}: at most every 15 s while
 * it moves, and at once on pause, when the page is hidden and on unmount). */
export function useTracker(mediaId: string, mode: "play" | "read"): Tracker {
  const session = useSession();
  const signedIn = useRef(!!session.userId);
  signedIn.current = !!session.userId;
  const s = useRef({
    pos: null as Position | null,
    dirty: false,
    lastSave: 0,
    progressOff: false,
    viewsOff: false,
    played: 0,
    reportedPlay: 0,
    pages: new Set<string>(),
    readSince: Date.now(),
    readSeconds: 0,
    reportedRead: 0,
  });

  const tracker = useMemo<Tracker>(() => {
    const st = s.current;
    const progressPath = `/v1/users/me/progress/${encodeURIComponent(mediaId)}`;
    const viewsPath = `/v1/media/${encodeURIComponent(mediaId)}/views`;
    const save = (unloading: boolean) => {
      if (!st.pos || !st.dirty || st.progressOff || !signedIn.current) return;
      st.dirty = false;
      st.lastSave = Date.now();
      const body = progressBody(st.pos);
      if (unloading) return beacon(progressPath, "PUT", body);
      api(progressPath, { method: "PUT", body }).catch((e) => {
        if (unavailable(e)) st.progressOff = true;
      });
    };
    const readTime = () => {
      if (typeof document === "undefined" || document.visibilityState === "visible") st.readSeconds += (Date.now() - st.readSince) / 1000;
      st.readSince = Date.now();
      return st.readSeconds;
    };
    const views = (unloading: boolean) => {
      if (st.viewsOff) return;
      let body: Record<string, number> | null = null;
      if (mode === "play") {
        const more = st.played - st.reportedPlay;
        const first = st.reportedPlay === 0 && st.played >= PLAY_THRESHOLD_S;
        if (first || (st.reportedPlay > 0 && more >= 1 && unloading)) {
          body = { seconds_played: Math.round(more) };
          st.reportedPlay = st.played;
        }
      } else {
        const secs = readTime();
        const first = st.reportedRead === 0 && secs >= READ_THRESHOLD_S;
        if (first || (st.reportedRead > 0 && unloading && secs - st.reportedRead >= 1)) {
          body = { pages_read: Math.max(1, st.pages.size), seconds_read: Math.round(secs - st.reportedRead) };
          st.reportedRead = secs;
          st.pages.clear();
        }
      }
      if (!body) return;
      if (unloading) return beacon(viewsPath, "POST", body);
      api(viewsPath, { method: "POST", body }).catch((e) => {
        if (unavailable(e)) st.viewsOff = true;
      });
    };
    return {
      position(p) {
        st.pos = p;
        st.dirty = true;
        if (Date.now() - st.lastSave >= SAVE_EVERY_MS) save(false);
      },
      played(seconds) {
        if (seconds > 0 && seconds < 5) st.played += seconds; // jumps are seeks, not play
        views(false);
      },
      pageSeen(page) {
        st.pages.add(String(page));
        views(false);
      },
      flush(unloading = false) {
        save(unloading);
        views(unloading);
      },
      tick() {
        views(false);
        if (Date.now() - st.lastSave >= SAVE_EVERY_MS) save(false);
      },
    };
  }, [mediaId, mode]);

  useEffect(() => {
    const hidden = () => {
      if (document.visibilityState === "hidden") tracker.flush(true);
    };
    const gone = () => tracker.flush(true);
    // Reading time counts only while the page is visible: tick it.
    const tick = mode === "read" ? setInterval(() => tracker.tick(), 5000) : undefined;
    document.addEventListener("visibilitychange", hidden);
    window.addEventListener("pagehide", gone);
    return () => {
      document.removeEventListener("visibilitychange", hidden);
      window.removeEventListener("pagehide", gone);
      if (tick) clearInterval(tick);
      tracker.flush(false);
    };
  }, [tracker, mode]);
  return tracker;
}
