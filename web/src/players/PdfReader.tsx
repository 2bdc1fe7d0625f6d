import { useEffect, useRef, useState } from "react";
import * as pdfjs from "pdfjs-dist";
import workerURL from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import { useSearchParams } from "react-router";
import { SearchInside } from "../components/SearchInside";
import { useSavedPosition, useTracker } from "../engagement";
import { useI18n } from "../i18n";
import type { Media } from "../types";
import { useFileURL } from "./useFileURL";

pdfjs.GlobalWorkerOptions.workerSrc = workerURL;

/** PdfReader renders one page at a time with pdf.js, with a selectable text
 * layer over the canvas. This module and pdf.js load only when a PDF opens. */
export default function PdfReader({ media }: { media: Media }) {
  const { t } = useI18n();
  const url = useFileURL(media);
  const canvas = useRef<HTMLCanvasElement>(null);
  const textLayer = useRef<HTMLDivElement>(null);
  const [doc, setDoc] = useState<pdfjs.PDFDocumentProxy | null>(null);
  const [params] = useSearchParams();
  const asked = Number(params.get("page"));
  const [page, setPage] = useState(Number.isInteger(asked) && asked > 0 ? asked : 1);
  const [error, setError] = useState("");
  const [resumed, setResumed] = useState<number | null>(null);
  const tracker = useTracker(media.id, "read");
  const saved = useSavedPosition(media.id);
  const resumeDone = useRef(params.has("page"));

  // Resume where the user stopped (on any device), once, unless a link
  // asked for a page.
  useEffect(() => {
    if (resumeDone.current || saved === undefined) return;
    resumeDone.current = true;
    if (saved?.page && saved.page > 1) {
      setPage(saved.page);
      setResumed(saved.page);
    }
  }, [saved]);

  useEffect(() => {
    if (!url) return;
    // No eval: the app's CSP forbids it, and pdf.js has a path without it.
    const task = pdfjs.getDocument({ url, isEvalSupported: false, withCredentials: false });
    task.promise.then(setDoc, (e: Error) => setError(e.message));
    return () => {
      void task.destroy();
    };
  }, [url]);

  useEffect(() => {
    if (!doc || !canvas.current || !textLayer.current) return;
    let cancelled = false;
    let render: { cancel: () => void } | null = null;
    (async () => {
      const p = await doc.getPage(page);
      const width = Math.min(canvas.current!.parentElement!.clientWidth || 800, 1000);
      const viewport = p.getViewport({ scale: width / p.getViewport({ scale: 1 }).width });
      const c = canvas.current!;
      const ratio = window.devicePixelRatio || 1;
      c.width = viewport.width * ratio;
      c.height = viewport.height * ratio;
      c.style.width = `${viewport.width}px`;
      c.style.height = `${viewport.height}px`;
      const task = p.render({ canvas: c, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
      render = task;
      await task.promise;
      if (cancelled) return;
      const layer = textLayer.current!;
      layer.replaceChildren();
      layer.style.setProperty("--scale-factor", String(viewport.scale));
      layer.style.width = `${viewport.width}px`;
      layer.style.height = `${viewport.height}px`;
      await new pdfjs.TextLayer({ textContentSource: p.streamTextContent(), container: layer, viewport }).render();
    })().catch((e: Error) => !cancelled && e.name !== "RenderingCancelledException" && setError(e.message));
    return () => {
      cancelled = true;
      render?.cancel();
    };
  }, [doc, page]);

  const total = doc?.numPages ?? media.content?.pages ?? 0;
  useEffect(() => {
    if (!doc) return;
    tracker.pageSeen(page);
    tracker.position({ page, pages: doc.numPages });
  }, [doc, page, tracker]);

  if (error) return <p className="error">{t("common.error", { message: error })}</p>;
  const go = (n: number) => setPage(Math.max(1, Math.min(total || 1, n)));
  return (
    <div
      className="reader pdf"
      onKeyDown={(e) => {
        if (e.key === "ArrowRight" || e.key === "PageDown") go(page + 1);
        if (e.key === "ArrowLeft" || e.key === "PageUp") go(page - 1);
      }}
    >
      <div className="controls">
        <button type="button" onClick={() => go(page - 1)} disabled={page <= 1}>
          {t("reader.prev")}
        </button>
        <span aria-live="polite">{t("reader.page", { n: page, total })}</span>
        <button type="button" onClick={() => go(page + 1)} disabled={page >= total}>
          {t("reader.next")}
        </button>
        <label>
          {t("reader.goto")}
          <input type="number" min={1} max={total} value={page} onChange={(e) => go(Number(e.target.value))} />
        </label>
      </div>
      {resumed !== null && (
        <p role="status" className="hint" data-testid="resumed">
          {t("reader.resumed", { n: resumed })}
        </p>
      )}
      <SearchInside mediaId={media.id} onJump={(p) => p.page && go(p.page)} />
      <div className="page" role="region" tabIndex={0} aria-label={t("reader.page", { n: page, total })}>
        {!doc && <p>{t("reader.loading")}</p>}
        <canvas ref={canvas} />
        <div ref={textLayer} className="textLayer" />
      </div>
    </div>
  );
}
