import { useEffect, useRef, useState } from "react";
import ePub, { type Book, type Rendition } from "epubjs";
import { useSearchParams } from "react-router";
import { highlightParts } from "../components/Highlight";
import { SearchInside } from "../components/SearchInside";
import { useSavedPosition, useTracker } from "../engagement";
import { useI18n } from "../i18n";
import type { Media, Passage } from "../types";
import { useFileURL } from "./useFileURL";

/** epubTarget is where rendition.display goes for a search passage: its CFI
 * when the position is one, else its chapter (an href, or a 1-based chapter
 * number, which is spine index + 1). Numbered passages are located by
 * locatePassage instead. */
export function epubTarget(p: Pick<Passage, "chapter" | "position">): string | number | undefined {
  if (typeof p.position === "string" && p.position.startsWith("epubcfi(")) return p.position;
  const n = typeof p.chapter === "number" ? p.chapter : typeof p.chapter === "string" && /^\d+$/.test(p.chapter) ? Number(p.chapter) : null;
  if (n !== null) return Math.max(0, n - 1);
  if (typeof p.chapter === "string" && p.chapter !== "") return p.chapter;
  return undefined;
}

/** PASSAGE_CHARS is the length of the numbered passages search cuts an
 * item's text into (issue 10's "position"). */
export const PASSAGE_CHARS = 1500;

type Section = { href: string; load: (request: unknown) => Promise<Element>; unload: () => void; find: (q: string) => { cfi: string }[] };

/** sectionFor picks the section in which the character offset falls, given
 * the sections' text lengths in reading order. */
export function sectionFor(lengths: number[], offset: number): number {
  let acc = 0;
  for (let i = 0; i < lengths.length; i++) {
    acc += lengths[i];
    if (offset < acc) return i;
  }
  return Math.max(0, lengths.length - 1);
}

/** passageSpan picks the sections a numbered passage overlaps, given the
 * sections' text lengths in reading order: [first, last] indexes. */
export function passageSpan(lengths: number[], n: number): [number, number] {
  const from = Math.max(0, n - 1) * PASSAGE_CHARS;
  const first = sectionFor(lengths, from);
  return [first, Math.max(first, sectionFor(lengths, from + PASSAGE_CHARS - 1))];
}

/** locatePassage finds the n-th passage of the text: in the sections it
 * overlaps, the first match of the words (a CFI); else the section where the
 * passage starts (its href). */
async function locatePassage(book: Book, n: number, words: string): Promise<string | undefined> {
  const spine = (book as unknown as { spine: { spineItems: Section[] } }).spine.spineItems ?? [];
  const from = Math.max(0, n - 1) * PASSAGE_CHARS;
  let acc = 0;
  let start: string | undefined;
  for (const section of spine) {
    const doc = await section.load(book.load.bind(book));
    const begin = acc;
    acc += (doc.textContent ?? "").length;
    if (acc <= from) {
      section.unload();
      continue;
    }
    if (begin >= from + PASSAGE_CHARS) {
      section.unload();
      break;
    }
    start ??= section.href;
    const hit = words ? section.find(words)[0]?.cfi : undefined;
    section.unload();
    if (hit) return hit;
  }
  return start ?? spine[spine.length - 1]?.href;
}

const themes = {
  light: { body: { color: "#1b1b1f", background: "#ffffff" } },
  sepia: { body: { color: "#3b2f1e", background: "#f4ecd8" } },
  dark: { body: { color: "#e8e8ee", background: "#16161a" } },
};
type ThemeName = keyof typeof themes;

/** EpubReader paginates a reflowable EPUB with epub.js. Scripts inside the
 * book never run (epub.js sandboxes its frame without allow-scripts). */
export default function EpubReader({ media }: { media: Media }) {
  const { t } = useI18n();
  const url = useFileURL(media);
  const host = useRef<HTMLDivElement>(null);
  const rendition = useRef<Rendition | null>(null);
  const [size, setSize] = useState(100);
  const [theme, setTheme] = useState<ThemeName>("light");
  const [error, setError] = useState("");
  const [params] = useSearchParams();
  const tracker = useTracker(media.id, "read");
  const saved = useSavedPosition(media.id);
  const [ready, setReady] = useState(false);
  const resumeDone = useRef(false);
  const bookRef = useRef<Book | null>(null);
  const jump = (target: string | number | undefined) => {
    if (target !== undefined) void rendition.current?.display(target as string).catch(() => {});
  };
  /** goTo opens a search passage: its CFI or chapter, or its numbered
   * position located in the text. */
  const goTo = (p: Pick<Passage, "chapter" | "position" | "snippet">, words: string) => {
    // The marked word of the snippet is what the text holds (the query may
    // be another form of it, or several words).
    words = highlightParts(p.snippet ?? "").find((x) => x.mark)?.text.trim() || words;
    const n = typeof p.position === "number" ? p.position : typeof p.position === "string" && /^\d+$/.test(p.position) ? Number(p.position) : null;
    if (n !== null && bookRef.current) {
      void locatePassage(bookRef.current, n, words).then(jump, () => {});
      return;
    }
    jump(epubTarget(p));
  };

  useEffect(() => {
    if (!url || !host.current) return;
    let book: Book | null = null;
    let live = true;
    (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = await res.arrayBuffer();
      if (!live) return;
      book = ePub(data);
      bookRef.current = book;
      const r = book.renderTo(host.current!, { width: "100%", height: 600, flow: "paginated", allowScriptedContent: false });
      for (const [name, rules] of Object.entries(themes)) r.themes.register(name, rules);
      rendition.current = r;
      // epub.js makes a frame per section shown: each needs a name.
      r.on("rendered", () => host.current?.querySelectorAll("iframe").forEach((f) => (f.title = media.title)));
      r.on("relocated", (loc: { start: { cfi: string; href: string; index: number; percentage?: number } }) => {
        const spine = (book as unknown as { spine?: { length?: number } }).spine?.length || 1;
        const percent = loc.start.percentage ? loc.start.percentage * 100 : (loc.start.index / spine) * 100;
        tracker.pageSeen(loc.start.href);
        tracker.position({ cfi: loc.start.cfi, percent: Math.min(100, Math.max(0, Math.round(percent * 10) / 10)) });
      });
      await r.display();
      if (live) setReady(true);
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      book?.destroy();
      rendition.current = null;
    };
  }, [url, tracker]);

  // Open at a search hit (?chapter= / ?pos=) or where the user stopped.
  useEffect(() => {
    if (!ready || resumeDone.current) return;
    if (params.has("chapter") || params.has("pos")) {
      resumeDone.current = true;
      goTo({ chapter: params.get("chapter") ?? undefined, position: params.get("pos") ?? undefined, snippet: "" }, params.get("q") ?? "");
      return;
    }
    if (saved === undefined) return;
    resumeDone.current = true;
    if (saved?.cfi) jump(saved.cfi);
  }, [ready, saved, params]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    rendition.current?.themes.fontSize(`${size}%`);
  }, [size]);
  useEffect(() => {
    rendition.current?.themes.select(theme);
  }, [theme]);

  if (error) return <p className="error">{t("common.error", { message: error })}</p>;
  return (
    <div className="reader epub">
      <div className="controls">
        <button type="button" onClick={() => rendition.current?.prev()}>
          {t("reader.prev")}
        </button>
        <button type="button" onClick={() => rendition.current?.next()}>
          {t("reader.next")}
        </button>
        <label>
          {t("reader.fontSize")}
          <input type="range" min={70} max={200} step={10} value={size} onChange={(e) => setSize(Number(e.target.value))} />
        </label>
        <label>
          {t("reader.theme")}
          <select value={theme} onChange={(e) => setTheme(e.target.value as ThemeName)}>
            {Object.keys(themes).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <SearchInside mediaId={media.id} onJump={goTo} />
      <div ref={host} className="epub-host" role="region" aria-label={media.title} />
    </div>
  );
}
