import { useI18n } from "../i18n";
import type { Media } from "../types";
import { useFileURL } from "./useFileURL";

/** VideoPlayer plays the file by range requests. HLS renditions (hls.js)
 * plug in here once processing produces them. */
export default function VideoPlayer({ media }: { media: Media }) {
  const { t } = useI18n();
  const src = useFileURL(media);
  const poster = media.derivatives?.find((d) => d.kind === "thumbnail")?.url;
  if (!src) return <p>{t("common.loading")}</p>;
  return (
    <video className="video" src={src} poster={poster} controls preload="metadata" aria-label={media.title}>
      {t("media.download")}
    </video>
  );
}
