import type { MessageKey } from "./i18n/en";
import type { Passage } from "./types";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** passageLink opens the item at the passage: ?page= for PDFs, ?chapter= for
 * EPUBs, ?t= (seconds) or ?pos= otherwise; the readers and players read them. */
export function passageLink(mediaId: string, p: Passage): string {
  const base = `/media/${encodeURIComponent(mediaId)}`;
  if (p.page) return `${base}?page=${p.page}`;
  if (p.chapter !== undefined && p.chapter !== "") return `${base}?chapter=${encodeURIComponent(String(p.chapter))}`;
  if (typeof p.position === "number") return `${base}?t=${Math.floor(p.position)}`;
  if (p.position) return `${base}?pos=${encodeURIComponent(p.position)}`;
  return base;
}

export function passageLabel(t: T, p: Passage): string {
  if (p.page) return t("search.atPage", { n: p.page });
  if (p.chapter !== undefined && p.chapter !== "") return t("search.atChapter", { n: String(p.chapter) });
  return t("search.atPosition");
}
