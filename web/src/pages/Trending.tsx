import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, optional } from "../api";
import { rising, useMediaOf, type TrendingList } from "../analytics";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import { kinds, type Category, type Page } from "../types";

const windows = ["hour", "day", "week"] as const;
const known = ["window", "kind", "category_id", "language"];

/** trendingQuery builds the API call from the page's URL (only known keys). */
export function trendingQuery(list: "trending" | "popular", sp: URLSearchParams): string {
  const p = new URLSearchParams();
  for (const k of known) {
    const v = sp.get(k);
    if (v) p.set(k, v);
  }
  if (!windows.includes(p.get("window") as (typeof windows)[number])) p.set("window", "day");
  p.set("limit", "30");
  return `/v1/${list}?${p}`;
}

/** Trending ranks by Φ = ω + υ; Popular (?list=popular) by y. */
export function Trending() {
  const { t } = useI18n();
  const [sp, setSp] = useSearchParams();
  const list = sp.get("list") === "popular" ? "popular" : "trending";
  const path = trendingQuery(list, sp);
  const q = useQuery({ queryKey: ["analytics", path], queryFn: () => optional<TrendingList>(path) });
  const cats = useQuery({ queryKey: ["categories"], queryFn: () => api<Page<Category>>("/v1/categories?page_size=100") });
  const ids = q.data?.items.map((i) => i.media_id) ?? [];
  const media = useMediaOf(ids);
  const set = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v);
    else n.delete(k);
    setSp(n, { replace: true });
  };
  const win = new URLSearchParams(path.split("?")[1]).get("window")!;
  return (
    <>
      <h1>{list === "popular" ? t("trend.popularTitle") : t("trend.title")}</h1>
      <nav aria-label={t("trend.lists")} className="toolbar">
        <Link to="/trending" aria-current={list === "trending" ? "page" : undefined}>
          {t("trend.title")}
        </Link>
        <Link to="/trending?list=popular" aria-current={list === "popular" ? "page" : undefined}>
          {t("trend.popularTitle")}
        </Link>
      </nav>
      <div className="filters">
        <label>
          {t("trend.window")}
          <select value={win} onChange={(e) => set("window", e.target.value)}>
            {windows.map((w) => (
              <option key={w} value={w}>
                {t(`trend.window.${w}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("browse.kind")}
          <select value={sp.get("kind") ?? ""} onChange={(e) => set("kind", e.target.value)}>
            <option value="">{t("kind.all")}</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("browse.category")}
          <select value={sp.get("category_id") ?? ""} onChange={(e) => set("category_id", e.target.value)}>
            <option value="">{t("browse.anyCategory")}</option>
            {cats.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("trend.language")}
          <input value={sp.get("language") ?? ""} onChange={(e) => set("language", e.target.value.trim())} placeholder="en" size={6} />
        </label>
      </div>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorNote error={q.error} />
      ) : !q.data ? (
        <p className="note">{t("trend.unavailable")}</p>
      ) : !q.data.items.length ? (
        <p>{t("trend.empty")}</p>
      ) : (
        <ol className="rows ranked">
          {q.data.items.map((it) => {
            const m = media.get(it.media_id);
            const r = rising(it);
            return (
              <li key={it.media_id}>
                <span>
                  <Link to={`/media/${it.media_id}`}>{m?.title ?? t("trend.untitled")}</Link>{" "}
                  <span className="meta">{t(`kind.${it.kind as (typeof kinds)[number]}`)}</span>
                </span>
                {list === "trending" ? (
                  <span className={`rising${r.up ? " up" : ""}`}>
                    {r.growth === null
                      ? t("trend.new")
                      : r.growth >= 0
                        ? t("trend.growth", { n: r.growth })
                        : t("trend.decline", { n: -r.growth })}{" "}
                    · {t("trend.share", { n: r.share })}
                    <span className="sr-only"> · {t("trend.score", { n: it.phi.toFixed(2) })}</span>
                  </span>
                ) : (
                  <span className="rising">{t("trend.engagement", { n: Math.round(it.y) })}</span>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </>
  );
}
