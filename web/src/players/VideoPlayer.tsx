import { useEffect, useRef, useState } from "react";
import type Hls from "hls.js/light";
import { streamURL } from "../api";
import { duration } from "../format";
import { useI18n } from "../i18n";
import type { Media } from "../types";
import { Chapters } from "./Chapters";
import { useFileURL } from "./useFileURL";
import { useMediaTracking } from "./useMediaTracking";

/** How a video is played: HLS through hls.js (Media Source Extensions), HLS
 * natively (Safari, iOS), or the file by range requests. */
export type Playback = "hls" | "native" | "file";

const hlsType = "application/vnd.apple.mpegurl";

/** playbackFor chooses how to play: HLS when the item lists a master
 * playlist (natively when the browser plays HLS itself, else with hls.js
 * when Media Source Extensions exist), the file otherwise or after HLS
 * failed. */
export function playbackFor(media: Media, failed: boolean, probe: { native: boolean; mse: boolean }): Playback {
  if (failed || !media.streaming?.hls_url) return "file";
  if (probe.native) return "native";
  return probe.mse ? "hls" : "file";
}

function probeBrowser(): { native: boolean; mse: boolean } {
  if (typeof document === "undefined") return { native: false, mse: false };
  const v = document.createElement("video");
  const native = typeof v.canPlayType === "function" && /^(maybe|probably)$/.test(v.canPlayType(hlsType));
  const w = window as unknown as { MediaSource?: { isTypeSupported?: (t: string) => boolean }; ManagedMediaSource?: unknown };
  const mse = !!(w.ManagedMediaSource || (w.MediaSource && typeof w.MediaSource.isTypeSupported === "function"));
  return { native, mse };
}

type Level = { height: number; bitrate: number };

/** VideoPlayer streams the HLS ladder processing made (hls.js is loaded on
 * demand, only here; Safari plays HLS natively) and falls back to the file
 * by range requests when there is no ladder or streaming fails. Position
 * and views go to engagement (useMediaTracking). */
export default function VideoPlayer({ media }: { media: Media }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  const [probe] = useState(probeBrowser);
  const mode = playbackFor(media, failed, probe);
  const file = useFileURL(media, undefined, mode === "file");
  const [stream, setStream] = useState<string | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1);
  const [time, setTime] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  const hls = useRef<Hls | null>(null);
  const tracking = useMediaTracking(video, media);
  const poster = media.derivatives?.find((d) => d.kind === "thumbnail")?.url;
  const hlsURL = media.streaming?.hls_url;

  // Where the master playlist is read (a signed link for drafts).
  useEffect(() => {
    let live = true;
    setStream(null);
    if (mode === "file" || !hlsURL) return;
    streamURL(media.id, hlsURL, media.status === "published").then(
      (u) => live && setStream(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [mode, hlsURL, media.id, media.status]);

  // hls.js, imported only when a video with a ladder is played this way.
  useEffect(() => {
    const el = video.current;
    if (mode !== "hls" || !stream || !el) return;
    let live = true;
    let player: Hls | null = null;
    import("hls.js/light").then(
      ({ default: HlsClass }) => {
        if (!live) return;
        if (!HlsClass.isSupported()) {
          setFailed(true);
          return;
        }
        // No worker: the app's CSP allows scripts from 'self' only, not blob: workers.
        player = new HlsClass({ enableWorker: false, capLevelToPlayerSize: true });
        hls.current = player;
        let recovered = false;
        player.on(HlsClass.Events.MANIFEST_PARSED, (_e, data) => {
          setLevels(data.levels.map((l) => ({ height: l.height, bitrate: l.bitrate })));
        });
        player.on(HlsClass.Events.ERROR, (_e, data) => {
          if (!data.fatal || !player) return;
          if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && !recovered) {
            recovered = true;
            player.recoverMediaError();
            return;
          }
          player.destroy();
          hls.current = null;
          setFailed(true);
        });
        player.loadSource(stream);
        player.attachMedia(el);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      player?.destroy();
      hls.current = null;
    };
  }, [mode, stream]);

  const src = mode === "file" ? file : mode === "native" ? stream : undefined;
  if (mode !== "hls" && !src) return <p>{t("common.loading")}</p>;
  return (
    <>
      <video
        key={mode}
        ref={video}
        className="video"
        src={src ?? undefined}
        poster={poster}
        controls
        preload="metadata"
        aria-label={media.title}
        data-playback={mode}
        {...tracking.handlers}
        onTimeUpdate={(e) => {
          setTime(e.currentTarget.currentTime);
          tracking.handlers.onTimeUpdate(e);
        }}
        onError={() => {
          if (mode === "native") setFailed(true);
        }}
      >
        {t("media.download")}
      </video>
      {mode === "hls" && levels.length > 1 && (
        <div className="controls">
          <label>
            {t("player.quality")}
            <select
              value={level}
              onChange={(e) => {
                const i = Number(e.target.value);
                setLevel(i);
                if (hls.current) hls.current.currentLevel = i;
              }}
            >
              <option value={-1}>{t("player.qualityAuto")}</option>
              {levels.map((l, i) => (
                <option key={i} value={i}>
                  {t("player.qualityHeight", { height: l.height })}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      <Chapters
        media={media}
        time={time}
        total={media.content?.duration_seconds ?? 0}
        onSeek={(s) => {
          if (video.current) video.current.currentTime = s;
        }}
      />
      {tracking.resumedAt !== null && (
        <p role="status" className="hint" data-testid="resumed">
          {t("player.resumed", { time: duration(tracking.resumedAt) })}
        </p>
      )}
    </>
  );
}
