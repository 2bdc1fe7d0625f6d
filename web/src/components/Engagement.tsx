// Engagement controls (issue 11): follow, like and stats, add to a
// collection, report. Each hides itself when the engagement target is absent
// (its endpoints answer 404/502/503) and when it needs a signed-in user.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { api, optional } from "../api";
import { useSession } from "../auth";
import { useI18n } from "../i18n";
import type { AuthorStats, Collection, Follow, FollowType, MediaStats, Page } from "../types";
import { ErrorNote } from "./Status";

/** follows normalises GET /v1/users/me/follows into "type:id" keys. */
export function followKeys(items: Follow[]): Set<string> {
  return new Set(items.map((f) => `${f.type ?? f.target_type}:${f.id ?? f.target_id}`));
}

/** useFollows reads what the user follows of one type (every page, up to
 * 2,000): null when engagement is absent. */
function useFollows(type: FollowType) {
  const session = useSession();
  return useQuery({
    queryKey: ["follows", type],
    enabled: !!session.userId,
    queryFn: async () => {
      const keys = new Set<string>();
      let token = "";
      for (let i = 0; i < 20; i++) {
        const page = await optional<Page<Follow>>(`/v1/users/me/follows?type=${type}&page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ""}`);
        if (!page) return null;
        followKeys(page.items ?? []).forEach((k) => keys.add(k));
        if (!page.next_page_token) break;
        token = page.next_page_token;
      }
      return keys;
    },
    retry: false,
  });
}

/** FollowButton follows or unfollows an author, a category or a tag. */
export function FollowButton({ type, id, name }: { type: FollowType; id: string; name: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const follows = useFollows(type);
  const key = `${type}:${id}`;
  const on = follows.data?.has(key) ?? false;
  const path = `/v1/users/me/follows/${type}/${encodeURIComponent(id)}`;
  const m = useMutation({
    mutationFn: (follow: boolean) => api(path, { method: follow ? "PUT" : "DELETE" }),
    onSuccess: (_, follow) => {
      qc.setQueryData<Set<string> | null>(["follows", type], (old) => {
        const next = new Set(old ?? []);
        if (follow) next.add(key);
        else next.delete(key);
        return next;
      });
      void qc.invalidateQueries({ queryKey: ["author-stats"] });
      void qc.invalidateQueries({ queryKey: ["feed"] });
    },
  });
  if (!follows.data) return null; // signed out, loading, or no engagement here
  return (
    <span className="follow">
      <button
        type="button"
        aria-pressed={on}
        aria-label={on ? t("follow.unfollowName", { name }) : t("follow.followName", { name })}
        onClick={() => m.mutate(!on)}
        disabled={m.isPending}
      >
        {on ? t("follow.following") : t("follow.follow")}
      </button>
      {m.isError && <ErrorNote error={m.error} />}
    </span>
  );
}

/** MediaStatsBar shows an item's counts and the like button. */
export function MediaStatsBar({ mediaId }: { mediaId: string }) {
  const { t } = useI18n();
  const session = useSession();
  const qc = useQueryClient();
  const key = ["stats", mediaId, session.userId];
  const stats = useQuery({
    queryKey: key,
    queryFn: () => optional<MediaStats>(`/v1/media/${encodeURIComponent(mediaId)}/stats`),
    retry: false,
  });
  const like = useMutation({
    mutationFn: (on: boolean) => api(`/v1/media/${encodeURIComponent(mediaId)}/like`, { method: on ? "PUT" : "DELETE" }),
    onSuccess: (_, on) => {
      qc.setQueryData<MediaStats | null>(key, (s) =>
        s ? { ...s, liked_by_me: on, likes: Math.max(0, s.likes + (on === !!s.liked_by_me ? 0 : on ? 1 : -1)) } : s,
      );
    },
  });
  const s = stats.data;
  if (!s) return null;
  return (
    <div className="stats controls" data-testid="media-stats">
      <span>{t("stats.views", { n: s.views })}</span>
      <span>{t("stats.likes", { n: s.likes })}</span>
      {session.userId && (
        <button type="button" aria-pressed={!!s.liked_by_me} onClick={() => like.mutate(!s.liked_by_me)} disabled={like.isPending}>
          {s.liked_by_me ? t("stats.liked") : t("stats.like")}
        </button>
      )}
      {like.isError && <ErrorNote error={like.error} />}
    </div>
  );
}

/** AuthorStatsLine shows an author's followers, views and likes. */
export function AuthorStatsLine({ authorId }: { authorId: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["author-stats", authorId],
    queryFn: () => optional<AuthorStats>(`/v1/authors/${encodeURIComponent(authorId)}/stats`),
    retry: false,
  });
  if (!q.data) return null;
  return (
    <p className="meta" data-testid="author-stats">
      {t("stats.followers", { n: q.data.followers })} · {t("stats.views", { n: q.data.views })} · {t("stats.likes", { n: q.data.likes })}
    </p>
  );
}

/** isSaved tells the "saved" collection every user has. */
export function isSaved(c: Collection): boolean {
  return !!c.saved || c.kind === "saved" || c.name === "saved";
}

export function useCollections() {
  const session = useSession();
  return useQuery({
    queryKey: ["collections"],
    enabled: !!session.userId,
    queryFn: () => optional<Page<Collection>>("/v1/collections?page_size=100"),
    retry: false,
  });
}

/** AddToCollection adds the item to one of the user's collections. */
export function AddToCollection({ mediaId }: { mediaId: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const cols = useCollections();
  const [target, setTarget] = useState("");
  const add = useMutation({
    mutationFn: (id: string) => api<{ added?: boolean } | undefined>(`/v1/collections/${encodeURIComponent(id)}/items`, { method: "POST", body: { media_id: mediaId } }),
    onSuccess: (_, id) => qc.invalidateQueries({ queryKey: ["collection-items", id] }),
  });
  const items = cols.data?.items;
  if (!items) return null;
  const sorted = [...items].sort((a, b) => Number(isSaved(b)) - Number(isSaved(a)));
  const chosen = target || sorted[0]?.id || "";
  return (
    <form
      className="controls"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) add.mutate(chosen);
      }}
    >
      <label>
        {t("collections.addTo")}
        <select value={chosen} onChange={(e) => setTarget(e.target.value)}>
          {sorted.map((c) => (
            <option key={c.id} value={c.id}>
              {isSaved(c) ? t("collections.saved") : c.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!chosen || add.isPending}>
        {t("collections.add")}
      </button>
      <span role="status">{add.isSuccess && (add.data?.added === false ? t("collections.already") : t("collections.added"))}</span>
      {add.isError && <ErrorNote error={add.error} />}
    </form>
  );
}

export const reportReasons = ["spam", "abuse", "copyright", "illegal", "other"] as const;

/** ReportDialog lets a signed-in user report an item or an author: a
 * disclosure that opens a small form and moves focus into it. */
export function ReportDialog({ targetType, targetId }: { targetType: "media" | "author" | "user"; targetId: string }) {
  const { t } = useI18n();
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<string>("spam");
  const [note, setNote] = useState("");
  const [state, setState] = useState<"idle" | "sent" | "off">("idle");
  const id = useId();
  const first = useRef<HTMLSelectElement>(null);
  const send = useMutation({
    mutationFn: async () => optional("/v1/reports", { method: "POST", body: { target_type: targetType, target_id: targetId, reason, note } }),
    onSuccess: (r) => {
      setState(r === null ? "off" : "sent");
      setOpen(false);
    },
  });
  if (!session.userId) return null;
  return (
    <div className="report">
      <button
        type="button"
        className="ghost"
        aria-expanded={open}
        aria-controls={`${id}-form`}
        onClick={() => {
          setOpen(!open);
          setState("idle");
          setTimeout(() => first.current?.focus(), 0);
        }}
      >
        {t("report.open")}
      </button>
      <span role="status">
        {state === "sent" && t("report.sent")}
        {state === "off" && t("report.unavailable")}
      </span>
      {open && (
        <form
          id={`${id}-form`}
          role="dialog"
          aria-label={t("report.title")}
          className="report-form"
          onSubmit={(e) => {
            e.preventDefault();
            send.mutate();
          }}
          onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
        >
          <div className="field">
            <label>
              {t("report.reason")}
              <select ref={first} value={reason} onChange={(e) => setReason(e.target.value)}>
                {reportReasons.map((r) => (
                  <option key={r} value={r}>
                    {t(`report.reason_${r}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="field">
            <label>
              {t("report.note")}
              <textarea value={note} maxLength={2000} rows={3} onChange={(e) => setNote(e.target.value)} />
            </label>
          </div>
          <div className="controls">
            <button type="submit" className="danger" disabled={send.isPending}>
              {t("report.send")}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {t("common.cancel")}
            </button>
          </div>
          {send.isError && <ErrorNote error={send.error} />}
        </form>
      )}
    </div>
  );
}
