import { useEffect, useRef, useState } from "react";
import ePub, { type Book, type Rendition } from "epubjs";
import { useI18n } from "../i18n";
import type { Media } from "../types";
import { useFileURL } from "./useFileURL";

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
      const r = book.renderTo(host.current!, { width: "100%", height: 600, flow: "paginated", allowScriptedContent: false });
      for (const [name, rules] of Object.entries(themes)) r.themes.register(name, rules);
      rendition.current = r;
      await r.display();
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      book?.destroy();
      rendition.current = null;
    };
  }, [url]);

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
      <div ref={host} className="epub-host" aria-label={media.title} />
    </div>
  );
}
