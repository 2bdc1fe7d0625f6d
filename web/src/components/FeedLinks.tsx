import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { useI18n } from "../i18n";
import type { Media, Page } from "../types";

/** The feeds target's addresses (issue 13). */
export const feedPaths = {
  authorAtom: (id: string) => `/feeds/authors/${encodeURIComponent(id)}/atom.xml`,
  authorPodcast: (id: string) => `/feeds/authors/${encodeURIComponent(id)}/podcast.xml`,
  opds: "/opds/v1.2/catalog",
  opds2: "/opds/v2/catalog",
};

/** feedExists asks with HEAD whether the feeds target serves a feed here. */
export async function feedExists(path: string): Promise<boolean> {
  try {
    const res = await fetch(path, { method: "HEAD", credentials: "same-origin" });
    return res.ok;
  } catch {
    return false;
  }
}

/** AuthorFeeds links an author's Atom feed, and their podcast RSS when they
 * publish audio or video, each only when the feeds target answers for it; it
 * also announces them with <link rel="alternate"> (React puts it in <head>). */
export function AuthorFeeds({ authorId, name }: { authorId: string; name: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["author-feeds", authorId],
    staleTime: 300_000,
    retry: false,
    queryFn: async () => {
      const atom = feedPaths.authorAtom(authorId);
      const podcast = feedPaths.authorPodcast(authorId);
      const hasAV = async (kind: string) =>
        (await api<Page<Media>>(`/v1/media?author_id=${encodeURIComponent(authorId)}&kind=${kind}&page_size=1`).catch(() => ({ items: [] }))).items.length > 0;
      const [atomOK, av] = await Promise.all([feedExists(atom), Promise.all([hasAV("podcast"), hasAV("video")]).then(([a, v]) => a || v)]);
      return { atom: atomOK ? atom : null, podcast: av && (await feedExists(podcast)) ? podcast : null };
    },
  });
  if (!q.data || (!q.data.atom && !q.data.podcast)) return null;
  return (
    <p className="feeds">
      {q.data.atom && (
        <>
          <link rel="alternate" type="application/atom+xml" title={t("feeds.atomOf", { name })} href={q.data.atom} />
          <a href={q.data.atom} type="application/atom+xml">
            {t("feeds.atom")}
          </a>
        </>
      )}
      {q.data.podcast && (
        <>
          <link rel="alternate" type="application/rss+xml" title={t("feeds.podcastOf", { name })} href={q.data.podcast} />
          {q.data.atom && " · "}
          <a href={q.data.podcast} type="application/rss+xml">
            {t("feeds.podcast")}
          </a>
        </>
      )}
    </p>
  );
}

/** OpdsLinks points e-reader apps at the OPDS catalogs (footer), once the
 * feeds target answers for them. */
export function OpdsLinks() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ["opds"], staleTime: Infinity, retry: false, queryFn: () => feedExists(feedPaths.opds) });
  if (!q.data) return null;
  return (
    <>
      <link rel="alternate" type="application/atom+xml;profile=opds-catalog;kind=navigation" title={t("footer.opds")} href={feedPaths.opds} />
      {t("footer.readers")} <a href={feedPaths.opds}>{t("footer.opds")}</a> · <a href={feedPaths.opds2}>{t("footer.opds2")}</a> ·{" "}
    </>
  );
}
