import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api } from "../api";
import { AuthorStatsLine, FollowButton, ReportDialog } from "../components/Engagement";
import { FeedLinks } from "../components/FeedLinks";
import { MediaList } from "../components/MediaList";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import type { Author as A } from "../types";

/** safeHref keeps only http(s) links from user content. */
export function safeHref(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function Author() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const q = useQuery({ queryKey: ["author", id], queryFn: () => api<A>(`/v1/authors/${encodeURIComponent(id)}`) });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorNote error={q.error} />;
  const a = q.data;
  return (
    <>
      <div className="title-row">
        <h1>{a.name}</h1>
        <FollowButton type="author" id={a.id} name={a.name} />
      </div>
      <AuthorStatsLine authorId={a.id} />
      {a.bio && <p className="prose">{a.bio}</p>}
      {a.links?.length > 0 && (
        <ul className="links">
          {a.links.map((l) => (
            <li key={l.url}>
              <a href={safeHref(l.url)} rel="noopener noreferrer nofollow ugc">
                {l.title || l.url}
              </a>
            </li>
          ))}
        </ul>
      )}
      <FeedLinks scope="authors" id={a.id} name={a.name} />
      <h2>{t("author.media", { name: a.name })}</h2>
      <MediaList params={{ author_id: id }} />
      <ReportDialog targetType="author" targetId={a.id} />
    </>
  );
}
