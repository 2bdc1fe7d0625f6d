import { duration } from "../format";
import { useI18n } from "../i18n";
import type { Chapter, Media } from "../types";

/** A timed chapter with its end resolved: its own `end`, else the next
 * chapter's start, else the end of the file (Infinity when unknown). */
export type TimedChapter = { title: string; start: number; end: number };

/** timedChapters keeps the chapters that have a start time, in order, each
 * with an end (see TimedChapter). */
export function timedChapters(list: Chapter[] | undefined, total = 0): TimedChapter[] {
  const timed = (list ?? [])
    .filter((c) => typeof c.start === "number" && Number.isFinite(c.start) && c.start >= 0)
    .sort((a, b) => (a.start as number) - (b.start as number));
  return timed.map((c, i) => {
    const next = timed[i + 1]?.start;
    const end = typeof c.end === "number" && c.end > (c.start as number) ? c.end : (next ?? (total > 0 ? total : Infinity));
    return { title: c.title, start: c.start as number, end };
  });
}

/** chapterAt is the index of the chapter playing at `time` (-1 before the first). */
export function chapterAt(chapters: TimedChapter[], time: number): number {
  let at = -1;
  chapters.forEach((c, i) => {
    if (time >= c.start - 0.001) at = i;
  });
  return at;
}

/** Chapters lists an item's timed chapters; a click seeks to one. The one
 * playing is marked (aria-current). Nothing is shown without chapters. */
export function Chapters({ media, time, total, onSeek }: { media: Media; time: number; total: number; onSeek: (s: number) => void }) {
  const { t } = useI18n();
  const chapters = timedChapters(media.chapters, total);
  if (!chapters.length) return null;
  const current = chapterAt(chapters, time);
  return (
    <nav className="chapters" aria-label={t("player.chapters")}>
      <h2 className="chapters-title">{t("player.chapters")}</h2>
      <ol>
        {chapters.map((c, i) => (
          <li key={`${c.start}-${i}`}>
            <button type="button" className="link" aria-current={i === current ? "true" : undefined} onClick={() => onSeek(c.start)}>
              <span className="chapter-time">{duration(c.start)}</span> {c.title || t("player.chapterN", { n: i + 1 })}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
