import { useState } from "react";
import { optional } from "../api";
import { useI18n } from "../i18n";
import { passageLabel } from "../search";
import type { Passage } from "../types";
import { Highlight } from "./Highlight";

type Answer = { items?: Passage[]; passages?: Passage[]; hits?: Passage[] };

/** SearchInside is the readers' "search in this item" panel: passages from
 * GET /v1/media/{id}/search, each a button that jumps to its page, chapter or
 * position. Without the search target it says so calmly. */
export function SearchInside({ mediaId, onJump }: { mediaId: string; onJump: (p: Passage, q: string) => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState("");
  const [state, setState] = useState<{ kind: "idle" | "busy" | "off" | "error" } | { kind: "done"; items: Passage[] }>({ kind: "idle" });
  const run = async () => {
    const text = q.trim();
    if (!text) return;
    setState({ kind: "busy" });
    try {
      const a = await optional<Answer>(`/v1/media/${encodeURIComponent(mediaId)}/search?q=${encodeURIComponent(text)}`);
      if (a === null) setState({ kind: "off" });
      else setState({ kind: "done", items: a.items ?? a.passages ?? a.hits ?? [] });
    } catch {
      setState({ kind: "error" });
    }
  };
  return (
    <section className="search-inside">
      <form
        role="search"
        aria-label={t("inside.title")}
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          {t("inside.label")}
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit" disabled={state.kind === "busy"}>
          {t("search.submit")}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {state.kind === "busy" && t("common.loading")}
        {state.kind === "off" && <span className="hint">{t("inside.unavailable")}</span>}
        {state.kind === "error" && <span className="error">{t("inside.error")}</span>}
        {state.kind === "done" && t("inside.count", { n: state.items.length })}
      </div>
      {state.kind === "done" && state.items.length > 0 && (
        <ol className="passages">
          {state.items.map((p, i) => (
            <li key={i}>
              <button type="button" className="ghost passage" onClick={() => onJump(p, q.trim())}>
                <strong>{passageLabel(t, p)}</strong> <Highlight text={p.snippet} />
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
