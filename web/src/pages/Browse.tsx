import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { api } from "../api";
import { MediaList } from "../components/MediaList";
import { useI18n } from "../i18n";
import { kinds, type Category, type Page } from "../types";

export function Browse() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const cats = useQuery({ queryKey: ["categories"], queryFn: () => api<Page<Category>>("/v1/categories?page_size=100") });
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const filters = {
    kind: params.get("kind") ?? "",
    category_id: params.get("category_id") ?? "",
    author_id: params.get("author_id") ?? "",
    order_by: params.get("order_by") ?? "newest",
  };
  return (
    <>
      <h1>{t("browse.title")}</h1>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("browse.kind")}
          <select value={filters.kind} onChange={(e) => set("kind", e.target.value)}>
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
          <select value={filters.category_id} onChange={(e) => set("category_id", e.target.value)}>
            <option value="">{t("browse.anyCategory")}</option>
            {cats.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("browse.order")}
          <select value={filters.order_by} onChange={(e) => set("order_by", e.target.value)}>
            <option value="newest">{t("browse.newest")}</option>
            <option value="oldest">{t("browse.oldest")}</option>
            <option value="title">{t("browse.byTitle")}</option>
          </select>
        </label>
      </form>
      <MediaList params={filters} />
    </>
  );
}
