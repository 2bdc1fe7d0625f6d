import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, optional } from "../api";
import { useSession } from "../auth";
import { MediaGrid } from "../components/MediaCard";
import { ErrorNote, Loading } from "../components/Status";
import { useProgressList } from "../engagement";
import { duration } from "../format";
import { useI18n } from "../i18n";
import type { Media, Page, Progress } from "../types";

/** The home page: for a signed-in user "Continue" (items in progress, from
 * engagement) and "For you" (new from what they follow), then what is new.
 * The two personal shelves disappear when engagement is absent or empty. */
export function Home() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <>
      <p className="lead">{t("home.intro")}</p>
      {session.userId && <ContinueShelf />}
      {session.userId && <ForYouShelf />}
      <Section title={t("home.title")} path="/v1/media?order_by=newest&page_size=24" />
    </>
  );
}

function Section({ title, path }: { title: string; path: string }) {
  const q = useQuery({ queryKey: [path], queryFn: () => api<Page<Media>>(path) });
  return (
    <section aria-labelledby="h-new">
      <h1 id="h-new">{title}</h1>
      {q.isPending ? <Loading /> : q.isError ? <ErrorNote error={q.error} /> : <MediaGrid items={q.data.items} />}
    </section>
  );
}

/** progressLabel says where the user is in an item. */
export function progressLabel(t: ReturnType<typeof useI18n>["t"], p: Progress): string {
  if (p.seconds !== undefined && p.seconds !== null) return t("home.at", { time: duration(p.seconds) });
  if (p.page) return t("reader.page", { n: p.page, total: p.pages ?? "?" });
  if (p.percent !== undefined) return t("home.percent", { n: Math.round(p.percent) });
  return "";
}

function ContinueShelf() {
  const { t } = useI18n();
  const q = useProgressList("in_progress");
  const items = q.data?.items ?? [];
  if (!items.length) return null;
  return (
    <section aria-labelledby="h-continue">
      <h2 id="h-continue">{t("home.continue")}</h2>
      <ul className="grid">
        {items.slice(0, 12).map((p) => (
          <ContinueCard key={p.media_id} p={p} />
        ))}
      </ul>
    </section>
  );
}

function ContinueCard({ p }: { p: Progress }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["media", p.media_id],
    enabled: !p.media,
    queryFn: () => api<Media>(`/v1/media/${encodeURIComponent(p.media_id)}`),
    retry: false,
  });
  const m = p.media ?? q.data;
  if (!m) return null;
  return (
    <li className="card">
      <Link to={`/media/${encodeURIComponent(m.id)}`}>
        <span className="title">{m.title}</span>
      </Link>
      <span className="meta">
        {t(`kind.${m.kind}`)} · {progressLabel(t, p)}
      </span>
    </li>
  );
}

/** A home feed entry: engagement's summary of a published item. */
export type FeedItem = { media_id?: string; id?: string; kind: Media["kind"]; title: string; author_ids?: string[]; published_at?: string; media?: Media };

/** feedMedia turns a feed entry into what a media card shows. */
export function feedMedia(x: FeedItem): Media {
  if (x.media) return x.media;
  const id = x.media_id ?? x.id ?? "";
  return {
    id,
    title: x.title,
    kind: x.kind,
    description: "",
    language: "",
    author_ids: x.author_ids ?? [],
    category_ids: [],
    tags: [],
    license: "",
    status: "published",
    published_at: x.published_at ?? null,
    created_at: x.published_at ?? "",
    updated_at: x.published_at ?? "",
    version: 0,
  };
}

function ForYouShelf() {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["feed"],
    queryFn: () => optional<Page<FeedItem>>("/v1/users/me/feed?page_size=12"),
    retry: false,
  });
  const items = (q.data?.items ?? []).map(feedMedia).filter((m) => m.id);
  if (!q.data) return null;
  return (
    <section aria-labelledby="h-foryou">
      <h2 id="h-foryou">{t("home.forYou")}</h2>
      {items.length ? <MediaGrid items={items} /> : <p className="hint">{t("home.forYouEmpty")}</p>}
    </section>
  );
}
