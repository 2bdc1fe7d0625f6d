import { Link } from "react-router";
import { useI18n } from "../i18n";
import type { Media } from "../types";

/** MediaCard shows one item; every field is rendered as text. */
export function MediaCard({ media }: { media: Media }) {
  const { t } = useI18n();
  const thumb = media.derivatives?.find((d) => d.kind === "thumbnail" || d.kind === "cover");
  return (
    <li className="card">
      <Link to={`/media/${media.id}`}>
        {thumb ? (
          <img src={thumb.url} alt="" loading="lazy" width={320} height={180} />
        ) : (
          <div className={`placeholder kind-${media.kind}`} aria-hidden="true">
            {t(`kind.${media.kind}`).slice(0, 1)}
          </div>
        )}
        <span className="title">{media.title}</span>
      </Link>
      <span className="meta">
        {t(`kind.${media.kind}`)}
        {media.status !== "published" && <> · {t(`status.${media.status}`)}</>}
      </span>
    </li>
  );
}

export function MediaGrid({ items }: { items: Media[] }) {
  const { t } = useI18n();
  if (!items.length) return <p>{t("common.none")}</p>;
  return (
    <ul className="grid">
      {items.map((m) => (
        <MediaCard key={m.id} media={m} />
      ))}
    </ul>
  );
}
