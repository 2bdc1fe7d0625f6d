import type { MessageKey } from "./i18n/en";
import type { Passage } from "./types";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** passageLink opens the item at a passage: ?page= (PDF page), ?chapter=
 * (EPUB chapter, 1-based) or ?pos= (the passage's number in reading order, or
 * an EPUB CFI) with ?q= (the words, to find the exact spot); the readers read
 * them. */
export function passageLink(mediaId: string, p: Passage, q = ""): string {
  const base = `/media/${encodeURIComponent(mediaId)}`;
  const words = q ? `&q=${encodeURIComponent(q)}` : "";
  if (p.page) return `${base}?page=${p.page}`;
  if (p.chapter !== undefined && p.chapter !== null && p.chapter !== "") return `${base}?chapter=${encodeURIComponent(String(p.chapter))}${words}`;
  if (p.position !== undefined && p.position !== null && p.position !== "") return `${base}?pos=${encodeURIComponent(String(p.position))}${words}`;
  return base;
}

export function passageLabel(t: T, p: Passage): string {
  if (p.page) return t("search.atPage", { n: p.page });
  if (p.chapter !== undefined && p.chapter !== null && p.chapter !== "") return t("search.atChapter", { n: String(p.chapter) });
  if (typeof p.position === "number") return t("search.atPassage", { n: p.position });
  return t("search.atPosition");
}
