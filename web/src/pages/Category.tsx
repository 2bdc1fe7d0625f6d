import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api } from "../api";
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
      <h1>{t("category.title", { name: q.data.name })}</h1>
      {q.data.description && <p className="prose">{q.data.description}</p>}
      <MediaList params={{ category_id: id }} />
    </>
  );
}
