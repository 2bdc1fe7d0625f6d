import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, unavailable } from "../api";
import { Highlight } from "../components/Highlight";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import { passageLabel, passageLink } from "../search";
import { facetNames, type Author, type Category, type FacetCounts, type FacetName, type SearchHit, type SearchResult } from "../types";

/** The query parameter each facet filters with. */
export const facetParam: Record<FacetName, string> = {
  kind: "kind",
  language: "language",
  category: "category_id",
  author: "author_id",
  tag: "tag",
  license: "license",
};
const sorts = ["relevance", "newest", "popular"] as const;
/** The URL parameters the page passes on to the API (the URL holds the state). */
const apiParams = ["q", "sort", ...Object.values(facetParam)];

/** facetEntries normalises a facet (map or list) into [value, count] pairs,
 * largest first. */
export function facetEntries(f: FacetCounts | undefined): [string, number][] {
  if (!f) return [];
  const pairs: [string, number][] = Array.isArray(f) ? f.map((e) => [e.value, e.count]) : Object.entries(f);
  return pairs.filter(([v]) => v !== "").sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** searchQuery builds the API query from the page's URL. */
export function searchQuery(params: URLSearchParams, pageToken?: string): string {
  const qs = new URLSearchParams();
  for (const k of apiParams) {
    const v = params.get(k);
    if (v) qs.set(k, v);
  }
  qs.set("page_size", "20");
  if (pageToken) qs.set("page_token", pageToken);
  return `/v1/search?${qs}`;
}

export function Search() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const filtered = Object.values(facetParam).some((k) => params.get(k));
  const enabled = q.trim() !== "" || filtered;
  const key = searchQuery(params);
  const res = useInfiniteQuery({
    queryKey: ["search", key],
    enabled,
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) => api<SearchResult>(searchQuery(params, pageParam || undefined), { signal }),
    getNextPageParam: (last) => last.next_page_token || undefined,
    retry: false,
  });
  const update = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next);
  };

  const first = res.data?.pages[0];
  const hits = res.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  return (
    <>
      <h1>{q ? t("search.resultsFor", { q }) : t("search.title")}</h1>
      <form
        role="search"
        aria-label={t("search.refine")}
        className="row-form"
        onSubmit={(e) => {
          e.preventDefault();
          update("q", String(new FormData(e.currentTarget).get("q") ?? "").trim());
        }}
      >
        <label className="field">
          {t("search.label")}
          <input type="search" name="q" defaultValue={q} key={q} />
        </label>
        <label className="field">
          {t("search.sort")}
          <select value={params.get("sort") ?? "relevance"} onChange={(e) => update("sort", e.target.value === "relevance" ? null : e.target.value)}>
            {sorts.map((s) => (
              <option key={s} value={s}>
                {t(`search.sort_${s}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t("search.submit")}</button>
      </form>
      {!enabled ? (
        <p className="hint">{t("search.empty")}</p>
      ) : res.isPending ? (
        <Loading />
      ) : res.isError ? (
        unavailable(res.error) ? (
          <p role="status" className="hint">
            {t("search.unavailable")} <Link to="/browse">{t("nav.browse")}</Link>
          </p>
        ) : (
          <ErrorNote error={res.error} />
        )
      ) : (
        <div className="search-layout">
          <aside aria-label={t("search.facets")} className="facets">
            {facetNames.map((f) => (
              <Facet key={f} name={f} counts={first?.facets?.[f]} selected={params.get(facetParam[f])} onToggle={(v) => update(facetParam[f], v)} />
            ))}
          </aside>
          <section aria-labelledby="search-results">
            <h2 id="search-results" aria-live="polite">
              {t("search.total", { n: first?.total ?? hits.length })}
            </h2>
            {hits.length === 0 ? (
              <p>{t("search.noResults")}</p>
            ) : (
              <ol className="hits">
                {hits.map((h) => (
                  <Hit key={h.media.id} hit={h} q={q} />
                ))}
              </ol>
            )}
            {res.hasNextPage && (
              <button type="button" onClick={() => res.fetchNextPage()} disabled={res.isFetchingNextPage}>
                {t("common.more")}
              </button>
            )}
          </section>
        </div>
      )}
    </>
  );
}

function Facet({ name, counts, selected, onToggle }: { name: FacetName; counts?: FacetCounts; selected: string | null; onToggle: (v: string | null) => void }) {
  const { t } = useI18n();
  let entries = facetEntries(counts).slice(0, 12);
  // The selected value stays visible (and can be turned off) even when the
  // server does not count it.
  if (selected && !entries.some(([v]) => v === selected)) entries = [[selected, 0], ...entries];
  if (!entries.length) return null;
  return (
    <fieldset className="facet">
      <legend>{t(`search.facet_${name}`)}</legend>
      <ul>
        {entries.map(([value, count]) => (
          <li key={value}>
            <button type="button" className="toggle" aria-pressed={selected === value} onClick={() => onToggle(selected === value ? null : value)}>
              <FacetLabel name={name} value={value} /> <span className="meta">({count})</span>
            </button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

function FacetLabel({ name, value }: { name: FacetName; value: string }) {
  const { t } = useI18n();
  if (name === "kind" && ["book", "document", "podcast", "video"].includes(value)) return <>{t(`kind.${value as "book"}`)}</>;
  if (name === "author") return <Named path={`/v1/authors/${encodeURIComponent(value)}`} fallback={value} />;
  if (name === "category") return <Named path={`/v1/categories/${encodeURIComponent(value)}`} fallback={value} />;
  return <>{value}</>;
}

function Named({ path, fallback }: { path: string; fallback: string }) {
  const q = useQuery({ queryKey: [path], queryFn: () => api<Author | Category>(path), staleTime: 300_000 });
  return <>{q.data?.name ?? fallback}</>;
}

function Hit({ hit, q }: { hit: SearchHit; q: string }) {
  const { t } = useI18n();
  const m = hit.media;
  const h = hit.highlights ?? {};
  return (
    <li className="hit">
      <Link to={`/media/${encodeURIComponent(m.id)}`} className="title">
        {h.title ? <Highlight text={h.title} /> : m.title}
      </Link>
      <span className="meta"> · {t(`kind.${m.kind}`)}</span>
      {(h.description || m.description) && <p className="snippet">{h.description ? <Highlight text={h.description} /> : m.description.slice(0, 240)}</p>}
      {h.content && h.content.length > 0 && (
        <ul className="passages">
          {h.content.slice(0, 3).map((p, i) => (
            <li key={i}>
              <Link to={passageLink(m.id, p, q)}>{passageLabel(t, p)}</Link>: <Highlight text={p.snippet} />
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

