import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { Link, useParams } from "react-router";
import { api } from "../api";
import { useSession } from "../auth";
import { AddToCollection, MediaStatsBar, ReportDialog } from "../components/Engagement";
import { ErrorNote, Loading } from "../components/Status";
import { bytes, date, duration } from "../format";
import { useI18n } from "../i18n";
import type { Author, Media } from "../types";

// Players and readers are separate chunks, fetched when an item needs one.
const AudioPlayer = lazy(() => import("../players/AudioPlayer"));
const VideoPlayer = lazy(() => import("../players/VideoPlayer"));
const PdfReader = lazy(() => import("../players/PdfReader"));
const EpubReader = lazy(() => import("../players/EpubReader"));
// The "Related" shelf (analytics) loads after the page.
const Related = lazy(() => import("../components/Related").then((m) => ({ default: m.Related })));

/** pending statuses are polled until the item settles. */
const pending = new Set(["processing"]);

export function MediaPage() {
  const { id = "" } = useParams();
  const { t, locale } = useI18n();
  const session = useSession();
  const q = useQuery({
    queryKey: ["media", id],
    queryFn: () => api<Media>(`/v1/media/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data && pending.has(query.state.data.status) ? 2000 : false),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorNote error={q.error} />;
  const m = q.data;
  return (
    <article className="media">
      <h1>{m.title}</h1>
      <p className="meta">
        {t(`kind.${m.kind}`)} · <Authors ids={m.author_ids} />
        {m.published_at && <> · {t("media.published", { date: date(m.published_at, locale) })}</>}
        {m.status !== "published" && (
          <>
            {" "}
            · <span className={`badge status-${m.status}`}>{t(`status.${m.status}`)}</span>
          </>
        )}
      </p>
      {m.status === "processing" && (
        <p role="status" aria-live="polite">
          {t("media.processingNote")}
        </p>
      )}
      {m.status === "failed" && (
        <p role="alert" className="error">
          {t("media.failedNote", { reason: m.status_reason ?? "" })}
        </p>
      )}
      <Suspense fallback={<Loading />}>
        <Viewer media={m} />
      </Suspense>
      {m.status === "published" && <MediaStatsBar mediaId={m.id} />}
      {session.userId && m.status === "published" && <AddToCollection mediaId={m.id} />}
      {m.description && <p className="prose">{m.description}</p>}
      <dl className="facts">
        {m.language && (
          <>
            <dt>{t("media.language")}</dt>
            <dd>{m.language}</dd>
          </>
        )}
        {m.license && (
          <>
            <dt>{t("media.license")}</dt>
            <dd>{m.license}</dd>
          </>
        )}
        {m.tags?.length > 0 && (
          <>
            <dt>{t("media.tags")}</dt>
            <dd>
              {m.tags.map((tag, i) => (
                <span key={tag}>
                  {i > 0 && ", "}
                  <Link to={`/tags/${encodeURIComponent(tag)}`}>{tag}</Link>
                </span>
              ))}
            </dd>
          </>
        )}
        {m.content && (
          <>
            <dt>{t("studio.file")}</dt>
            <dd>
              {m.content.content_type} · {bytes(m.content.size)}
              {m.content.duration_seconds ? ` · ${duration(m.content.duration_seconds)}` : ""}
              {m.content.pages ? ` · ${m.content.pages} p.` : ""}
            </dd>
          </>
        )}
      </dl>
      {session.userId && (
        <p>
          <Link to={`/studio/media/${m.id}`}>{t("media.edit")}</Link>
        </p>
      )}
      {m.status === "published" && <ReportDialog targetType="media" targetId={m.id} />}
      {m.status === "published" && (
        <Suspense fallback={null}>
          <Related mediaId={m.id} />
        </Suspense>
      )}
    </article>
  );
}

function Authors({ ids }: { ids: string[] }) {
  return (
    <>
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <AuthorName id={id} />
        </span>
      ))}
    </>
  );
}

function AuthorName({ id }: { id: string }) {
  const q = useQuery({ queryKey: ["author", id], queryFn: () => api<Author>(`/v1/authors/${encodeURIComponent(id)}`) });
  return <Link to={`/authors/${id}`}>{q.data?.name ?? "…"}</Link>;
}

function Viewer({ media }: { media: Media }) {
  const { t } = useI18n();
  if (!media.content) return <p>{t("media.noFile")}</p>;
  const type = media.content.content_type;
  if (media.kind === "podcast" || type.startsWith("audio/")) return <AudioPlayer media={media} />;
  if (media.kind === "video" || type.startsWith("video/")) return <VideoPlayer media={media} />;
  if (type === "application/pdf") return <PdfReader media={media} />;
  if (type === "application/epub+zip") return <EpubReader media={media} />;
  const url = media.content.url || `/v1/media/${media.id}/content`;
  return (
    <p>
      <a href={url} download>
        {t("media.download")}
      </a>
    </p>
  );
}
