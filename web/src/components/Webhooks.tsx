import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError, optional } from "../api";
import { useI18n } from "../i18n";
import { notificationTypes, unreadCount } from "../notify";
import type { Page } from "../types";
import { Field } from "./Field";
import { ErrorNote } from "./Status";

export type Webhook = {
  id: string;
  author_id: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  consecutive_failures: number;
  created_at: string;
  disabled_at?: string;
  secret?: string;
};
export type Delivery = {
  id: string;
  event_type: string;
  state: "pending" | "sent" | "failed";
  attempts: number;
  status_code: number;
  last_error?: string;
  payload: string;
  created_at: string;
  sent_at?: string;
};

/** Webhooks manages an author's webhooks (notify, issue 12). The list comes
 * from GET /v1/webhooks?author_id=; where the server has no list, the
 * webhooks made here are still shown. Hidden when notify is absent. */
export function Webhooks({ authorId }: { authorId: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ["webhooks", authorId],
    queryFn: async () => {
      const l = await optional<Page<Webhook>>(`/v1/webhooks?author_id=${encodeURIComponent(authorId)}`);
      if (l) return { items: l.items, listed: true, present: true };
      return { items: [] as Webhook[], listed: false, present: (await unreadCount()) !== null };
    },
  });
  const [made, setMade] = useState<Webhook[]>([]);
  const [url, setUrl] = useState("");
  const [types, setTypes] = useState<string[]>(["media.published"]);
  const [secret, setSecret] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [open, setOpen] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api<Webhook>("/v1/webhooks", { method: "POST", body: { author_id: authorId, url, event_types: types } }),
    onMutate: () => setFieldErrors({}),
    onSuccess: (w) => {
      setSecret(w.secret ?? "");
      setUrl("");
      setMade((m) => [w, ...m]);
      void qc.invalidateQueries({ queryKey: ["webhooks", authorId] });
    },
    onError: (e) => e instanceof ApiError && setFieldErrors(e.fieldErrors()),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/v1/webhooks/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: (_, id) => {
      setMade((m) => m.filter((w) => w.id !== id));
      void qc.invalidateQueries({ queryKey: ["webhooks", authorId] });
    },
  });
  if (!list.data?.present) return null;
  const seen = new Set(list.data.items.map((w) => w.id));
  const hooks = [...made.filter((w) => !seen.has(w.id)), ...list.data.items];
  return (
    <section>
      <h2>{t("hooks.title")}</h2>
      {!list.data.listed && <p className="note">{t("hooks.noList")}</p>}
      {hooks.length > 0 && (
        <ul className="rows">
          {hooks.map((w) => (
            <li key={w.id}>
              <div>
                <code>{w.url}</code> · {w.event_types.join(", ")} · {w.enabled ? t("hooks.enabled") : t("hooks.disabled")}
                {w.consecutive_failures > 0 && <> · {t("hooks.failures", { n: w.consecutive_failures })}</>}
                {open === w.id && <Deliveries id={w.id} />}
              </div>
              <button type="button" aria-expanded={open === w.id} onClick={() => setOpen(open === w.id ? null : w.id)}>
                {t("hooks.deliveries")}
              </button>
              <button type="button" onClick={() => remove.mutate(w.id)} aria-label={t("hooks.deleteOf", { url: w.url })}>
                {t("common.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label={t("hooks.url")} type="url" value={url} onChange={(e) => setUrl(e.target.value)} required error={fieldErrors["body.url"] ?? fieldErrors.url} />
        <fieldset>
          <legend>{t("hooks.events")}</legend>
          {notificationTypes.map((ty) => (
            <label key={ty} className="inline">
              <input type="checkbox" checked={types.includes(ty)} onChange={(e) => setTypes(e.target.checked ? [...types, ty] : types.filter((x) => x !== ty))} /> {ty}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.isPending || types.length === 0}>
          {t("hooks.create")}
        </button>
        {create.isError && <ErrorNote error={create.error} />}
      </form>
      {secret && (
        <p role="status">
          {t("hooks.secret")} <code>{secret}</code>
        </p>
      )}
    </section>
  );
}

function Deliveries({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["webhook-deliveries", id], queryFn: () => api<Page<Delivery>>(`/v1/webhooks/${encodeURIComponent(id)}/deliveries?page_size=20`) });
  const again = useMutation({
    mutationFn: (d: string) => api(`/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(d)}/redeliver`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["webhook-deliveries", id] }),
  });
  if (q.isPending) return <p role="status">{t("common.loading")}</p>;
  if (q.isError) return <ErrorNote error={q.error} />;
  if (!q.data.items.length) return <p>{t("hooks.noDeliveries")}</p>;
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium" });
  return (
    <table>
      <caption>{t("hooks.deliveries")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("hooks.when")}</th>
          <th scope="col">{t("hooks.event")}</th>
          <th scope="col">{t("hooks.state")}</th>
          <th scope="col">{t("hooks.status")}</th>
          <th scope="col">
            <span className="sr-only">{t("hooks.redeliver")}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {q.data.items.map((d) => (
          <tr key={d.id}>
            <td>{fmt.format(new Date(d.created_at))}</td>
            <td>{d.event_type}</td>
            <td>
              {t(`hooks.state.${d.state}`)} ({d.attempts})
            </td>
            <td>{d.status_code || "—"}{d.last_error ? ` · ${d.last_error}` : ""}</td>
            <td>
              <button type="button" onClick={() => again.mutate(d.id)} disabled={again.isPending}>
                {t("hooks.redeliver")}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
