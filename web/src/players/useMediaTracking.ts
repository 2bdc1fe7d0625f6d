import { useEffect, useRef, useState, type RefObject, type SyntheticEvent } from "react";
import { useSearchParams } from "react-router";
import { useSavedPosition, useTracker } from "../engagement";
import type { Media } from "../types";

/** useMediaTracking wires an <audio> or <video> to engagement: it resumes
 * at ?t= (a search hit) or else where the user stopped on any device, saves
 * the position as it plays (throttled, and at once on pause), and reports
 * the view once 10 s have really been played. */
export function useMediaTracking(el: RefObject<HTMLMediaElement | null>, media: Media) {
  const tracker = useTracker(media.id, "play");
  const saved = useSavedPosition(media.id);
  const [params] = useSearchParams();
  const [ready, setReady] = useState(false);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const done = useRef(false);
  const last = useRef(0);

  useEffect(() => {
    const a = el.current;
    if (!a || !ready || done.current) return;
    const t = Number(params.get("t"));
    if (params.has("t") && Number.isFinite(t) && t >= 0) {
      done.current = true;
      a.currentTime = t;
      return;
    }
    if (saved === undefined) return; // not known yet
    done.current = true;
    const at = saved?.seconds ?? 0;
    const length = Number.isFinite(a.duration) ? a.duration : (media.content?.duration_seconds ?? Infinity);
    if (at > 1 && at < length - 5) {
      a.currentTime = at;
      last.current = at;
      setResumedAt(at);
    }
  }, [el, ready, saved, params, media.content?.duration_seconds]);

  return {
    resumedAt,
    handlers: {
      onLoadedMetadata: () => setReady(true),
      onTimeUpdate: (e: SyntheticEvent<HTMLMediaElement>) => {
        const now = e.currentTarget.currentTime;
        if (!e.currentTarget.paused) tracker.played(now - last.current);
        last.current = now;
        tracker.position({ seconds: Math.floor(now) });
      },
      onSeeked: (e: SyntheticEvent<HTMLMediaElement>) => {
        last.current = e.currentTarget.currentTime;
      },
      onPause: () => tracker.flush(),
      onEnded: () => tracker.flush(),
    },
  };
}
