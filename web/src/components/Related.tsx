import { useQuery } from "@tanstack/react-query";
import { optional } from "../api";
import { useMediaOf } from "../analytics";
import { useI18n } from "../i18n";
import { MediaGrid } from "./MediaCard";

/** Related is the "people who finished this also finished" shelf; nothing
 * at all when analytics is absent or knows no related item. */
export function Related({ mediaId }: { mediaId: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["related", mediaId],
    queryFn: () => optional<{ items: { media_id: string }[] }>(`/v1/media/${encodeURIComponent(mediaId)}/related?limit=8`),
  });
  const ids = (Array.isArray(q.data?.items) ? q.data.items : []).map((i) => i.media_id).filter((id) => id !== mediaId);
  const media = useMediaOf(ids);
  const items = ids.flatMap((id) => media.get(id) ?? []).filter((m) => m.status === "published");
  if (!items.length) return null;
  return (
    <section aria-labelledby="related-h">
      <h2 id="related-h">{t("trend.related")}</h2>
      <MediaGrid items={items} />
    </section>
  );
}
