import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, optional } from "../api";
import { useSession } from "../auth";
import { isSaved, useCollections } from "../components/Engagement";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import type { Collection, CollectionItem, Media, Page } from "../types";

const path = (id: string) => `/v1/collections/${encodeURIComponent(id)}`;
const visibilityOf = (c: Collection) => c.visibility ?? (c.public ? "public" : "private");

/** moved returns the order with the item at index i moved by delta. */
export function moved<T>(items: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (j < 0 || j >= items.length) return items;
  const next = [...items];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

/** Collections lists the user's collections (the saved one first) and
 * creates, renames, publishes or deletes them. */
export function Collections() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const cols = useCollections();
  const [name, setName] = useState("");
  const [visibility, setVisibility] = useState("private");
  const done = () => qc.invalidateQueries({ queryKey: ["collections"] });
  const create = useMutation({
    mutationFn: () => api<Collection>("/v1/collections", { method: "POST", body: { name: name.trim(), visibility } }),
    onSuccess: () => {
      setName("");
      void done();
    },
  });
  if (cols.isPending) return <Loading />;
  if (cols.isError) return <ErrorNote error={cols.error} />;
  if (!cols.data)
    return (
      <>
        <h1>{t("collections.title")}</h1>
        <p role="status" className="hint">
          {t("collections.unavailable")}
        </p>
      </>
    );
  const items = [...(cols.data.items ?? [])].sort((a, b) => Number(isSaved(b)) - Number(isSaved(a)));
  return (
    <>
      <h1>{t("collections.title")}</h1>
      <ul className="rows">
        {items.map((c) => (
          <CollectionRow key={c.id} c={c} onChange={done} />
        ))}
      </ul>
      <h2>{t("collections.new")}</h2>
      <form
        className="row-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <label className="field">
          {t("collections.name")}
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
        </label>
        <label className="field">
          {t("collections.visibility")}
          <select value={visibility} onChange={(e) => setVisibility(e.target.value)}>
            <option value="private">{t("collections.private")}</option>
            <option value="public">{t("collections.public")}</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t("studio.create")}
        </button>
      </form>
      {create.isError && <ErrorNote error={create.error} />}
    </>
  );
}

function CollectionRow({ c, onChange }: { c: Collection; onChange: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(c.name);
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) => api(path(c.id), { method: "PATCH", body }),
    onSuccess: () => {
      setEditing(false);
      onChange();
    },
  });
  const remove = useMutation({ mutationFn: () => api(path(c.id), { method: "DELETE" }), onSuccess: onChange });
  const saved = isSaved(c);
  const label = saved ? t("collections.saved") : c.name;
  const vis = visibilityOf(c);
  return (
    <li>
      {editing ? (
        <form
          className="controls"
          onSubmit={(e) => {
            e.preventDefault();
            patch.mutate({ name: name.trim() });
          }}
        >
          <label>
            {t("collections.name")}
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required autoFocus />
          </label>
          <button type="submit">{t("common.save")}</button>
          <button type="button" onClick={() => setEditing(false)}>
            {t("common.cancel")}
          </button>
        </form>
      ) : (
        <span>
          <Link to={`/collections/${encodeURIComponent(c.id)}`}>{label}</Link>{" "}
          <span className="meta">
            {t(vis === "public" ? "collections.public" : "collections.private")}
            {c.item_count !== undefined && <> · {t("collections.count", { n: c.item_count })}</>}
          </span>
        </span>
      )}
      {!saved && !editing && (
        <span className="controls">
          <button type="button" onClick={() => setEditing(true)} aria-label={t("collections.renameName", { name: label })}>
            {t("collections.rename")}
          </button>
          <button
            type="button"
            onClick={() => patch.mutate({ visibility: vis === "public" ? "private" : "public" })}
            aria-label={t(vis === "public" ? "collections.makePrivateName" : "collections.makePublicName", { name: label })}
          >
            {t(vis === "public" ? "collections.makePrivate" : "collections.makePublic")}
          </button>
          <button type="button" className="danger" onClick={() => remove.mutate()} aria-label={t("collections.deleteName", { name: label })}>
            {t("common.delete")}
          </button>
        </span>
      )}
      {(patch.isError || remove.isError) && <ErrorNote error={patch.error ?? remove.error} />}
    </li>
  );
}

/** CollectionPage shows one collection; its owner removes items and
 * reorders them with up/down buttons (keyboard accessible, announced). */
export function CollectionPage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const session = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [announce, setAnnounce] = useState("");
  const col = useQuery({ queryKey: ["collection", id], queryFn: () => optional<Collection>(path(id)), retry: false });
  const itemsKey = ["collection-items", id];
  // Every item (a reorder sends the whole order), page by page.
  const items = useQuery({
    queryKey: itemsKey,
    queryFn: async () => {
      const all: CollectionItem[] = [];
      let token = "";
      for (let i = 0; i < 50; i++) {
        const page = await optional<Page<CollectionItem>>(`${path(id)}/items?page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ""}`);
        if (!page) return null;
        all.push(...(page.items ?? []));
        if (!page.next_page_token) break;
        token = page.next_page_token;
      }
      return { items: all } as Page<CollectionItem>;
    },
    retry: false,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: itemsKey });
  const reorder = useMutation({
    mutationFn: (order: string[]) => api(`${path(id)}/items`, { method: "PUT", body: { media_ids: order } }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (mediaId: string) => api(`${path(id)}/items/${encodeURIComponent(mediaId)}`, { method: "DELETE" }),
    onSettled: refresh,
  });
  if (col.isPending || items.isPending) return <Loading />;
  if (col.isError) return <ErrorNote error={col.error} />;
  if (!col.data)
    return (
      <p role="status" className="hint">
        {t("collections.unavailable")} <button type="button" className="ghost" onClick={() => navigate(-1)}>{t("common.back")}</button>
      </p>
    );
  const c = col.data;
  const mine = !!session.userId && (c.owner_id ? c.owner_id === session.userId : true);
  const list = items.data?.items ?? [];
  const move = (i: number, delta: number) => {
    const next = moved(list, i, delta);
    if (next === list) return;
    qc.setQueryData<Page<CollectionItem> | null>(itemsKey, (p) => (p ? { ...p, items: next } : p));
    reorder.mutate(next.map((it) => it.media_id));
    setAnnounce(t("collections.movedTo", { n: i + delta + 1, total: list.length }));
  };
  return (
    <>
      <h1>{isSaved(c) ? t("collections.saved") : c.name}</h1>
      {c.description && <p className="prose">{c.description}</p>}
      <p className="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      {list.length === 0 ? (
        <p>{t("common.none")}</p>
      ) : (
        <ol className="rows" data-testid="collection-items">
          {list.map((it, i) => (
            <li key={it.media_id}>
              <ItemTitle item={it} />
              {mine && (
                <span className="controls">
                  <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={t("collections.up", { n: i + 1 })}>
                    ↑
                  </button>
                  <button type="button" onClick={() => move(i, 1)} disabled={i === list.length - 1} aria-label={t("collections.down", { n: i + 1 })}>
                    ↓
                  </button>
                  <button type="button" className="danger" onClick={() => remove.mutate(it.media_id)}>
                    {t("studio.remove")}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {(reorder.isError || remove.isError) && <ErrorNote error={reorder.error ?? remove.error} />}
    </>
  );
}

function ItemTitle({ item }: { item: CollectionItem }) {
  const q = useQuery({
    queryKey: ["media", item.media_id],
    enabled: !item.media,
    queryFn: () => api<Media>(`/v1/media/${encodeURIComponent(item.media_id)}`),
    retry: false,
  });
  const m = item.media ?? q.data;
  return <Link to={`/media/${encodeURIComponent(item.media_id)}`}>{m?.title ?? item.media_id}</Link>;
}
