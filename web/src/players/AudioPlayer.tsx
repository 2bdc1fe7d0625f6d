import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { api } from "../api";
import { duration } from "../format";
import { useI18n } from "../i18n";
import type { Media } from "../types";
import { chapterAt, Chapters, timedChapters } from "./Chapters";
import { useFileURL } from "./useFileURL";
import { useMediaTracking } from "./useMediaTracking";

const speeds = [0.75, 1, 1.25, 1.5, 1.75, 2];
const sleepChoices = [15, 30, 60];
/** The sleep timer: off, at a time (ms since the epoch), or at the end of
 * the chapter playing when it was set (seconds into the file). */
type Sleep = null | { at: number } | { chapterEnd: number };

type Waveform = { channels: number; length: number; data: number[]; bits: number };

/** peaksOf folds audiowaveform-style min/max pairs into `bars` heights 0..1. */
export function peaksOf(w: Waveform, bars: number): number[] {
  const pairs = Math.floor(w.data.length / 2 / Math.max(1, w.channels));
  const max = w.bits === 8 ? 128 : 32768;
  const out: number[] = [];
  for (let b = 0; b < bars; b++) {
    const from = Math.floor((b * pairs) / bars);
    const to = Math.max(from + 1, Math.floor(((b + 1) * pairs) / bars));
    let peak = 0;
    for (let i = from; i < to && i < pairs; i++) {
      const base = i * 2 * Math.max(1, w.channels);
      peak = Math.max(peak, Math.abs(w.data[base]), Math.abs(w.data[base + 1]));
    }
    out.push(Math.min(1, peak / max));
  }
  return out;
}

export default function AudioPlayer({ media }: { media: Media }) {
  const { t } = useI18n();
  const src = useFileURL(media);
  const waveURL = useFileURL(media, "waveform");
  const audio = useRef<HTMLAudioElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [total, setTotal] = useState(media.content?.duration_seconds ?? 0);
  const [speed, setSpeed] = useState(1);
  const [sleep, setSleep] = useState<Sleep>(null);
  const [now, setNow] = useState(Date.now());
  const [peaks, setPeaks] = useState<number[]>([]);
  const tracking = useMediaTracking(audio, media);

  useEffect(() => {
    if (!waveURL) return;
    api<Waveform>(waveURL).then((w) => setPeaks(peaksOf(w, 160)), () => setPeaks([]));
  }, [waveURL]);

  // Draw the waveform, played part in the accent colour.
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx || !peaks.length) return;
    const styles = getComputedStyle(c);
    const w = c.width,
      h = c.height,
      bar = w / peaks.length;
    ctx.clearRect(0, 0, w, h);
    const played = total ? time / total : 0;
    peaks.forEach((p, i) => {
      ctx.fillStyle = i / peaks.length < played ? styles.getPropertyValue("--accent") : styles.getPropertyValue("--muted");
      const bh = Math.max(2, p * h);
      ctx.fillRect(i * bar, (h - bh) / 2, Math.max(1, bar - 1), bh);
    });
  }, [peaks, time, total]);

  const chapters = timedChapters(media.chapters, total);
  const current = chapterAt(chapters, time);

  // The sleep timer pauses playback when it runs out (a chapter's end is
  // watched in onTimeUpdate).
  const sleepAt = sleep && "at" in sleep ? sleep.at : null;
  useEffect(() => {
    if (sleepAt === null) return;
    const id = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= sleepAt) {
        audio.current?.pause();
        setSleep(null);
      }
    }, 1000);
    return () => clearInterval(id);
  }, [sleepAt]);

  const toggle = useCallback(() => {
    const a = audio.current;
    if (!a) return;
    if (a.paused) void a.play();
    else a.pause();
  }, []);
  const seekTo = (s: number) => {
    const a = audio.current;
    if (a) a.currentTime = Math.max(0, Math.min(a.duration || total || s, s));
  };
  const seekBy = (s: number) => {
    const a = audio.current;
    if (a) seekTo(a.currentTime + s);
  };
  // Previous: the start of the chapter playing, or the one before when
  // within its first 3 seconds. Next: the next chapter's start.
  const chapterStep = (dir: -1 | 1) => {
    if (!chapters.length) return;
    const now = audio.current?.currentTime ?? time;
    const i = chapterAt(chapters, now);
    if (dir > 0) {
      if (i + 1 < chapters.length) seekTo(chapters[i + 1].start);
    } else if (i >= 0) {
      seekTo(now - chapters[i].start < 3 && i > 0 ? chapters[i - 1].start : chapters[i].start);
    }
  };
  const changeSpeed = (v: number) => {
    setSpeed(v);
    if (audio.current) audio.current.playbackRate = v;
  };
  const onKey = (e: KeyboardEvent) => {
    const tag = (e.target as HTMLElement).tagName;
    if (tag === "SELECT" || tag === "INPUT" || tag === "SUMMARY" || e.altKey || e.ctrlKey || e.metaKey) return;
    // A focused button keeps its own Space and Enter.
    if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
    const i = speeds.indexOf(speed);
    switch (e.key) {
      case " ":
      case "k":
        e.preventDefault();
        toggle();
        break;
      case "ArrowLeft":
      case "j":
        e.preventDefault();
        seekBy(-15);
        break;
      case "ArrowRight":
      case "l":
        e.preventDefault();
        seekBy(30);
        break;
      case "[":
        changeSpeed(speeds[Math.max(0, i - 1)]);
        break;
      case "]":
        changeSpeed(speeds[Math.min(speeds.length - 1, i + 1)]);
        break;
      case "p":
        chapterStep(-1);
        break;
      case "n":
        chapterStep(1);
        break;
    }
  };

  return (
    <div className="player" role="group" aria-label={media.title} tabIndex={0} onKeyDown={onKey}>
      {src && (
        <audio
          ref={audio}
          src={src}
          preload="metadata"
          onPlay={() => setPlaying(true)}
          onPause={() => {
            setPlaying(false);
            tracking.handlers.onPause();
          }}
          onEnded={() => {
            setSleep(null);
            tracking.handlers.onEnded();
          }}
          onSeeked={tracking.handlers.onSeeked}
          onTimeUpdate={(e) => {
            const at = e.currentTarget.currentTime;
            setTime(at);
            if (sleep && "chapterEnd" in sleep && at >= sleep.chapterEnd - 0.25) {
              e.currentTarget.pause();
              setSleep(null);
            }
            tracking.handlers.onTimeUpdate(e);
          }}
          onLoadedMetadata={(e) => {
            if (Number.isFinite(e.currentTarget.duration)) setTotal(e.currentTarget.duration);
            tracking.handlers.onLoadedMetadata();
          }}
        />
      )}
      {peaks.length > 0 && (
        <canvas
          ref={canvas}
          className="waveform"
          width={960}
          height={96}
          aria-hidden="true"
          onClick={(e) => {
            const r = e.currentTarget.getBoundingClientRect();
            if (audio.current && total) audio.current.currentTime = ((e.clientX - r.left) / r.width) * total;
          }}
        />
      )}
      <div className="controls">
        <button type="button" onClick={() => seekBy(-15)} aria-label={t("player.back")}>
          −15
        </button>
        <button type="button" className="primary" onClick={toggle} aria-label={playing ? t("player.pause") : t("player.play")} disabled={!src}>
          {playing ? "❚❚" : "▶"}
        </button>
        <button type="button" onClick={() => seekBy(30)} aria-label={t("player.forward")}>
          +30
        </button>
        <label className="seek">
          <span className="sr-only">{t("player.seek")}</span>
          <input
            type="range"
            min={0}
            max={Math.max(1, Math.round(total))}
            step={1}
            value={Math.round(time)}
            aria-valuetext={`${duration(time)} / ${duration(total)}`}
            onChange={(e) => {
              if (audio.current) audio.current.currentTime = Number(e.target.value);
            }}
          />
        </label>
        <span className="time" aria-hidden="true">
          {duration(time)} / {duration(total)}
        </span>
        <label>
          {t("player.speed")}
          <select value={speed} onChange={(e) => changeSpeed(Number(e.target.value))}>
            {speeds.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("player.sleep")}
          <select
            value={sleep === null ? "off" : "set"}
            onChange={(e) => {
              const v = e.target.value;
              if (v === "chapter") {
                const c = chapters[chapterAt(chapters, audio.current?.currentTime ?? time)];
                setSleep(c ? { chapterEnd: c.end } : null);
              } else if (v !== "set") {
                const n = Number(v);
                setSleep(n > 0 ? { at: Date.now() + n * 60_000 } : null);
              }
            }}
          >
            {sleep !== null && (
              <option value="set">
                {"at" in sleep ? t("player.sleepEnds", { time: duration((sleep.at - now) / 1000) }) : t("player.sleepChapterSet")}
              </option>
            )}
            <option value="off">{t("player.sleepOff")}</option>
            {chapters.length > 0 && current >= 0 && <option value="chapter">{t("player.sleepChapter")}</option>}
            {sleepChoices.map((n) => (
              <option key={n} value={n}>
                {t("player.sleepMinutes", { n })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Chapters media={media} time={time} total={total} onSeek={seekTo} />
      <details className="shortcuts">
        <summary>{t("player.shortcutsTitle")}</summary>
        <dl>
          <dt>
            <kbd>Space</kbd> / <kbd>k</kbd>
          </dt>
          <dd>{t("player.keyPlay")}</dd>
          <dt>
            <kbd>←</kbd> / <kbd>j</kbd>
          </dt>
          <dd>{t("player.back")}</dd>
          <dt>
            <kbd>→</kbd> / <kbd>l</kbd>
          </dt>
          <dd>{t("player.forward")}</dd>
          <dt>
            <kbd>[</kbd> <kbd>]</kbd>
          </dt>
          <dd>{t("player.keySpeed")}</dd>
          {chapters.length > 0 && (
            <>
              <dt>
                <kbd>p</kbd> <kbd>n</kbd>
              </dt>
              <dd>{t("player.keyChapters")}</dd>
            </>
          )}
        </dl>
      </details>
      {tracking.resumedAt !== null && (
        <p role="status" className="hint" data-testid="resumed">
          {t("player.resumed", { time: duration(tracking.resumedAt) })}
        </p>
      )}
    </div>
  );
}
