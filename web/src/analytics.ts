// Client side of the analytics target (issue 14).
import { useQueries } from "@tanstack/react-query";
import { optional } from "./api";
import type { Media } from "./types";

export type TrendingItem = { media_id: string; kind: string; phi: number; omega: number; upsilon: number; y: number; y_prev?: number };
export type TrendingList = { window: string; window_start?: string; items: TrendingItem[] };
export type Point = { start: string; views: number; unique_viewers: number; likes: number; completions: number; new_followers?: number };
export type Timeseries = { author_id: string; interval: "hour" | "day"; total: Point[]; items: { media_id: string; points: Point[] }[] };
export const metrics = ["views", "unique_viewers", "likes", "completions", "new_followers"] as const;
export type Metric = (typeof metrics)[number];

/** rising describes ω and υ for people: growth against the previous window
 * (in percent, "new" when there was nothing before) and the share of the
 * window's top item. */
export function rising(it: Pick<TrendingItem, "omega" | "upsilon" | "y_prev">): { growth: number | null; share: number; up: boolean } {
  const isNew = it.y_prev === 0;
  const growth = isNew ? null : Math.round(it.omega * 100);
  return { growth, share: Math.round(it.upsilon * 100), up: isNew || it.omega > 0 };
}

/** useMediaOf loads the items behind a list of IDs (titles, covers); items
 * that cannot be read (removed, private) are left out. */
export function useMediaOf(ids: string[]): Map<string, Media> {
  const qs = useQueries({
    queries: ids.map((id) => ({ queryKey: ["media", id], queryFn: () => optional<Media>(`/v1/media/${encodeURIComponent(id)}`), staleTime: 60_000 })),
  });
  const out = new Map<string, Media>();
  qs.forEach((q, i) => {
    if (q.data) out.set(ids[i], q.data);
  });
  return out;
}
