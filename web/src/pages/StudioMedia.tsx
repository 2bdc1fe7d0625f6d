import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { api, apiWithETag, ApiError } from "../api";
import { Field } from "../components/Field";
import { ErrorNote, Loading } from "../components/Status";
import { Upload } from "../components/Upload";
import { useI18n } from "../i18n";
import type { Media } from "../types";
import { TextArea } from "./Studio";

/** StudioMedia edits one item: metadata, file, publication. While the item
 * is processing its status is polled until it settles. */
export function StudioMedia() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const qc = useQueryClient();
  const key = ["media-edit", id];
  // After an upload the item may still read as before until the catalog
  // hears of the file; processing then returns it to the status it had (a
  // draft stays a draft). Catalog changes the version twice on the way
  // (processing, then settled), so poll until the version before the upload
  // has moved on by two and the item is no longer processing.
  const [awaitFrom, setAwaitFrom] = useState<number | null>(null);
  const q = useQuery({
    queryKey: key,
    queryFn: () => apiWithETag<Media>(`/v1/media/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data?.data.status === "processing" || awaitFrom !== null ? 1500 : false),
  });
  useEffect(() => {
    const m = q.data?.data;
    if (awaitFrom !== null && m && m.status !== "processing" && m.version >= awaitFrom + 2) setAwaitFrom(null);
  }, [awaitFrom, q.data?.data]);
  const [form, setForm] = useState({ title: "", description: "", language: "", tags: "", license: "" });
  useEffect(() => {
    const m = q.data?.data;
    if (m) setForm({ title: m.title, description: m.description, language: m.language, tags: m.tags.join(", "), license: m.license });
    // Only when another version arrives, not on every poll.
  }, [q.data?.data.version]); // eslint-disable-line react-hooks/exhaustive-deps
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<Media>(`/v1/media/${encodeURIComponent(id)}`, { method: "PATCH", body, headers: { "If-Match": q.data?.etag ?? "" } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: ["media"] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api(`/v1/media/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorNote error={q.error} />;
  const m = q.data.data;
  const errors = patch.error instanceof ApiError ? patch.error.fieldErrors() : {};
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  return (
    <>
      <h1>{m.title}</h1>
      <p>
        <span className={`badge status-${m.status}`} role="status" aria-live="polite" data-testid="media-status">
          {t("studio.status", { status: t(`status.${m.status}`) })}
        </span>{" "}
        <Link to={`/media/${m.id}`}>{t("nav.browse")} →</Link>
      </p>
      {(awaitFrom !== null || m.status === "processing") && (
        <p role="status" data-testid="processing-pending">
          {t("media.processingNote")}
        </p>
      )}
      {m.status === "failed" && (
        <p role="alert" className="error">
          {t("media.failedNote", { reason: m.status_reason ?? "" })}
        </p>
      )}
      <section>
        <h2>{t("studio.file")}</h2>
        {m.status !== "removed" && <Upload
            mediaId={m.id}
            onDone={() => {
              setAwaitFrom(q.data?.data.version ?? 0);
              void qc.invalidateQueries({ queryKey: key });
            }}
          />}
      </section>
      <section>
        <h2>{t("media.edit")}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            patch.mutate({
              title: form.title,
              description: form.description,
              language: form.language,
              license: form.license,
              tags: form.tags.split(",").map((s) => s.trim()).filter(Boolean),
            });
          }}
        >
          <Field label={t("studio.title_")} value={form.title} onChange={(e) => set("title")(e.target.value)} error={errors.title} />
          <TextArea label={t("studio.description")} value={form.description} onChange={set("description")} />
          <Field label={t("studio.language")} value={form.language} onChange={(e) => set("language")(e.target.value)} error={errors.language} />
          <Field label={t("studio.tags")} value={form.tags} onChange={(e) => set("tags")(e.target.value)} error={errors.tags} />
          <Field label={t("media.license")} value={form.license} onChange={(e) => set("license")(e.target.value)} error={errors.license} />
          <button type="submit">{t("common.save")}</button>
          {patch.isSuccess && <span role="status"> {t("common.saved")}</span>}
          {patch.isError && <ErrorNote error={patch.error} />}
        </form>
      </section>
      <section className="controls">
        {m.status === "draft" && (
          <button type="button" className="primary" onClick={() => patch.mutate({ status: "published" })}>
            {t("studio.publish")}
          </button>
        )}
        {m.status === "published" && (
          <button type="button" onClick={() => patch.mutate({ status: "draft" })}>
            {t("studio.unpublish")}
          </button>
        )}
        {m.status !== "removed" && (
          <button type="button" className="danger" onClick={() => remove.mutate()}>
            {t("common.delete")}
          </button>
        )}
        {remove.isError && <ErrorNote error={remove.error} />}
      </section>
    </>
  );
}
