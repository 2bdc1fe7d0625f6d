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

/** Upload sends a file with tus: resumable, pausable, and resumed after a
 * reload (tus-js-client remembers the upload URL for the same file). */
export function Upload({ mediaId, onDone }: { mediaId: string; onDone: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [state, setState] = useState<"idle" | "running" | "paused" | "done">("idle");
  const [error, setError] = useState("");
  const upload = useRef<tus.Upload | null>(null);

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
      onProgress: (sent, total) => setPercent(total ? Math.floor((sent / total) * 100) : 0),
      onSuccess: () => {
        setState("done");
        setPercent(100);
        onDone();
      },
      onError: (err) => {
        setState("paused");
        const res = (err as tus.DetailedError).originalResponse;
        setError(res ? `${res.getStatus()} ${res.getBody()}` : err.message);
      },
    });
    upload.current = u;
    const previous = await u.findPreviousUploads();
    if (previous.length) u.resumeFromPreviousUpload(previous[0]);
    setState("running");
    setPercent(0);
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
          <progress max={100} value={percent} aria-label={t("studio.uploadProgress", { percent })} />
          <span role="status" aria-live="polite">
            {state === "done" ? t("studio.uploadDone") : t("studio.uploadProgress", { percent })}
          </span>
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
