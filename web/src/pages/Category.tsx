import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api } from "../api";
import { FollowButton } from "../components/Engagement";
import { FeedLinks } from "../components/FeedLinks";
import { MediaList } from "../components/MediaList";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import type { Category as Cat } from "../types";

export function Category() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const q = useQuery({ queryKey: ["category", id], queryFn: () => api<Cat>(`/v1/categories/${encodeURIComponent(id)}`) });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorNote error={q.error} />;
  return (
    <>
      <div className="title-row">
        <h1>{t("category.title", { name: q.data.name })}</h1>
        <FollowButton type="category" id={q.data.id} name={q.data.name} />
      </div>
      {q.data.description && <p className="prose">{q.data.description}</p>}
      <FeedLinks scope="categories" id={q.data.id} name={q.data.name} />
      <MediaList params={{ category_id: id }} />
    </>
  );
}

/** Tag lists the media with a tag, with a follow button for it. */
export function Tag() {
  const { tag = "" } = useParams();
  const { t } = useI18n();
  return (
    <>
      <div className="title-row">
        <h1>{t("tag.title", { name: tag })}</h1>
        <FollowButton type="tag" id={tag} name={tag} />
      </div>
      <FeedLinks scope="tags" id={tag} name={tag} />
      <MediaList params={{ tag }} />
    </>
  );
}
