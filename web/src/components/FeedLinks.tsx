import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { useI18n } from "../i18n";
import type { Media, Page } from "../types";

export type FeedScope = "authors" | "categories" | "tags";

/** The feeds target's addresses (issue 13). */
export const feedPaths = {
  atom: (scope: FeedScope, id: string) => `/feeds/${scope}/${encodeURIComponent(id)}/atom.xml`,
  podcast: (scope: FeedScope, id: string) => `/feeds/${scope}/${encodeURIComponent(id)}/podcast.xml`,
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

/** hasAudioOrVideo tells whether an author or category has published
 * podcasts or videos (a podcast feed is only offered then). */
async function hasAudioOrVideo(scope: FeedScope, id: string): Promise<boolean> {
  const param = scope === "authors" ? "author_id" : "category_id";
  const one = async (kind: string) =>
    ((await api<Page<Media>>(`/v1/media?${param}=${encodeURIComponent(id)}&kind=${kind}&page_size=1`).catch(() => null))?.items.length ?? 0) > 0;
  const [audio, video] = await Promise.all([one("podcast"), one("video")]);
  return audio || video;
}

/** FeedLinks links the Atom feed of an author, category or tag, and the
 * podcast RSS of an author or category that publishes audio or video, each
 * only once the feeds target answers for it; it also announces them with
 * <link rel="alternate"> (React 19 hoists those into <head>). */
export function FeedLinks({ scope, id, name }: { scope: FeedScope; id: string; name: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["feed-links", scope, id],
    staleTime: 300_000,
    retry: false,
    queryFn: async () => {
      const atom = feedPaths.atom(scope, id);
      const podcast = feedPaths.podcast(scope, id);
      const [atomOK, podcastOK] = await Promise.all([
        feedExists(atom),
        scope !== "tags" && (await hasAudioOrVideo(scope, id)) ? feedExists(podcast) : false,
      ]);
      return { atom: atomOK ? atom : null, podcast: podcastOK ? podcast : null };
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
