import { useRef, useState } from "react";
import * as tus from "tus-js-client";
import { claims, getToken, refreshSession } from "../api";
import { useI18n } from "../i18n";

/** freshToken returns an access token valid for at least another minute. */
async function freshToken(): Promise<string> {
  const c = claims();
  if (c && c.exp * 1000 - Date.now() < 60_000) await refreshSession();
  return getToken() ?? "";
}

/** uploadPercent is the bar's value for bytes sent of total: whole percents,
 * and never 100 before the server has accepted the last byte (onSuccess
 * sets 100), so the bar cannot read full while the last chunk is pending. */
export function uploadPercent(sent: number, total: number): number {
  if (!total) return 0;
  return Math.max(0, Math.min(99, Math.floor((sent / total) * 100)));
}

/** Upload sends a file with tus: resumable, pausable, and resumed after a
 * reload (tus-js-client remembers the upload URL for the same file).
 *
 * The bar reaches 100 % when the upload completes: onSuccess sets it, and the
 * value shown for "done" is always the maximum, whatever progress event comes
 * late. Progress is announced to screen readers only at its milestones
 * (started, paused, complete) through a live region that is always in the
 * page: a region inserted together with its text is not announced, and a
 * region that speaks every percent is noise. */
export function Upload({ mediaId, onDone }: { mediaId: string; onDone: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [state, setState] = useState<"idle" | "running" | "paused" | "done">("idle");
  const [error, setError] = useState("");
  const [announce, setAnnounce] = useState("");
  const upload = useRef<tus.Upload | null>(null);
  const finished = useRef(false);

  const start = async () => {
    if (!file) return;
    setError("");
    const u = new tus.Upload(file, {
      endpoint: "/v1/uploads",
      chunkSize: 8 << 20,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { media_id: mediaId, filename: file.name, filetype: file.type },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: async (req) => {
        req.setHeader("Authorization", `Bearer ${await freshToken()}`);
      },
      onProgress: (sent, total) => {
        if (!finished.current) setPercent(uploadPercent(sent, total));
      },
      onSuccess: () => {
        finished.current = true;
        setPercent(100);
        setState("done");
        setAnnounce(t("studio.uploadDone"));
        onDone();
      },
      onError: (err) => {
        setState("paused");
        setAnnounce(t("studio.uploadPaused"));
        const res = (err as tus.DetailedError).originalResponse;
        setError(res ? `${res.getStatus()} ${res.getBody()}` : err.message);
      },
    });
    upload.current = u;
    const previous = await u.findPreviousUploads();
    if (previous.length) u.resumeFromPreviousUpload(previous[0]);
    finished.current = false;
    setState("running");
    setPercent(0);
    setAnnounce(t("studio.uploadStarted"));
    u.start();
  };

  return (
    <div className="upload">
      <div className="field">
        <label>
          {t("studio.file")}
          <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={state === "running"} />
        </label>
        <small className="hint">{t("studio.resumable")}</small>
      </div>
      <div className="controls">
        {state === "idle" || state === "done" ? (
          <button type="button" className="primary" onClick={start} disabled={!file}>
            {t("studio.upload")}
          </button>
        ) : state === "running" ? (
          <button
            type="button"
            onClick={() => {
              void upload.current?.abort();
              setState("paused");
              setAnnounce(t("studio.uploadPaused"));
            }}
          >
            {t("studio.pause")}
          </button>
        ) : (
          <button
            type="button"
            onClick={() => {
              setError("");
              setState("running");
              upload.current?.start();
            }}
          >
            {t("studio.resume")}
          </button>
        )}
      </div>
      {percent !== null && (
        <>
          <progress
            max={100}
            value={state === "done" ? 100 : percent}
            aria-label={t("studio.uploadBar")}
            aria-valuetext={state === "done" ? t("studio.uploadDone") : t("studio.uploadProgress", { percent })}
            data-testid="upload-progress"
          />
          <span aria-hidden="true">{state === "done" ? "100 %" : `${percent} %`}</span>
        </>
      )}
      <p role="status" aria-live="polite" className="upload-status">
        {announce}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
