import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api";
import { useI18n } from "../i18n";
import type { Media, Page } from "../types";
import { MediaGrid } from "./MediaCard";
import { ErrorNote, Loading } from "./Status";

/** MediaList pages through GET /v1/media with the given filters. */
export function MediaList({ params }: { params: Record<string, string> }) {
  const { t } = useI18n();
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ""));
  qs.set("page_size", "24");
  const q = useInfiniteQuery({
    queryKey: ["media", qs.toString()],
    initialPageParam: "",
    queryFn: ({ pageParam }) => {
      const p = new URLSearchParams(qs);
      if (pageParam) p.set("page_token", pageParam);
      return api<Page<Media>>(`/v1/media?${p}`);
    },
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorNote error={q.error} />;
  return (
    <>
      <MediaGrid items={q.data.pages.flatMap((p) => p.items)} />
      {q.hasNextPage && (
        <button type="button" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          {t("common.more")}
        </button>
      )}
    </>
  );
}
