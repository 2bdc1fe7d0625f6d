import { useRef } from "react";
import { duration } from "../format";
import { useI18n } from "../i18n";
import type { Media } from "../types";
import { useFileURL } from "./useFileURL";
import { useMediaTracking } from "./useMediaTracking";

/** VideoPlayer plays the file by range requests. HLS renditions (hls.js)
 * plug in here once processing produces them. Position and views go to
 * engagement (useMediaTracking). */
export default function VideoPlayer({ media }: { media: Media }) {
  const { t } = useI18n();
  const src = useFileURL(media);
  const video = useRef<HTMLVideoElement>(null);
  const tracking = useMediaTracking(video, media);
  const poster = media.derivatives?.find((d) => d.kind === "thumbnail")?.url;
  if (!src) return <p>{t("common.loading")}</p>;
  return (
    <>
      <video ref={video} className="video" src={src} poster={poster} controls preload="metadata" aria-label={media.title} {...tracking.handlers}>
        {t("media.download")}
      </video>
      {tracking.resumedAt !== null && (
        <p role="status" className="hint" data-testid="resumed">
          {t("player.resumed", { time: duration(tracking.resumedAt) })}
        </p>
      )}
    </>
  );
}
