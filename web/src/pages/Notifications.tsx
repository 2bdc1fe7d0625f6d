import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api, optional } from "../api";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import { channels, notificationTypes, subjectLink, urlBase64ToBytes, type Notification, type Preference, type Preferences } from "../notify";
import type { Page } from "../types";

function Unavailable() {
  const { t } = useI18n();
  return <p className="note">{t("notify.unavailable")}</p>;
}

/** Notifications is the inbox: newest first, keyset paged, unread only or all. */
export function Notifications() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useInfiniteQuery({
    queryKey: ["notifications", "list", unreadOnly],
    initialPageParam: "",
    queryFn: ({ pageParam }) => {
      const p = new URLSearchParams({ page_size: "20" });
      if (unreadOnly) p.set("unread_only", "true");
      if (pageParam) p.set("page_token", pageParam);
      return optional<Page<Notification>>(`/v1/users/me/notifications?${p}`);
    },
    getNextPageParam: (last) => last?.next_page_token || undefined,
  });
  const done = () => qc.invalidateQueries({ queryKey: ["notifications"] });
  const readOne = useMutation({
    mutationFn: (id: string) => api(`/v1/users/me/notifications/${encodeURIComponent(id)}/read`, { method: "POST" }),
    onSuccess: done,
  });
  const readAll = useMutation({
    mutationFn: () => api("/v1/users/me/notifications/read-all", { method: "POST" }),
    onSuccess: done,
  });
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorNote error={list.error} />;
  if (list.data.pages[0] === null)
    return (
      <>
        <h1>{t("notify.title")}</h1>
        <Unavailable />
      </>
    );
  const items = list.data.pages.flatMap((p) => p?.items ?? []);
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return (
    <>
      <h1>{t("notify.title")}</h1>
      <div className="toolbar">
        <label className="inline">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> {t("notify.unreadOnly")}
        </label>
        <button type="button" onClick={() => readAll.mutate()} disabled={readAll.isPending}>
          {t("notify.readAll")}
        </button>
        <Link to="/notifications/settings">{t("notify.settings")}</Link>
      </div>
      {(readOne.isError || readAll.isError) && <ErrorNote error={readOne.error ?? readAll.error} />}
      {items.length === 0 ? (
        <p>{t("notify.empty")}</p>
      ) : (
        <ul className="rows inbox">
          {items.map((n) => {
            const to = subjectLink(n.subject);
            return (
              <li key={n.id} className={n.read_at ? "read" : "unread"}>
                <div>
                  <strong>{to ? <Link to={to}>{n.title}</Link> : n.title}</strong>
                  {!n.read_at && <span className="sr-only"> ({t("notify.unread")})</span>}
                  <p>{n.body}</p>
                  <time dateTime={n.created_at}>{fmt.format(new Date(n.created_at))}</time>
                </div>
                {!n.read_at && (
                  <button type="button" onClick={() => readOne.mutate(n.id)} aria-label={t("notify.markReadOf", { title: n.title })}>
                    {t("notify.markRead")}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {t("common.more")}
        </button>
      )}
    </>
  );
}

const enabledOf = (prefs: Preference[], type: string, channel: string) =>
  prefs.find((p) => p.type === type && p.channel === channel)?.enabled ?? false;

/** NotificationSettings: per type × channel toggles, quiet hours, digests, web push. */
export function NotificationSettings() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["notification-preferences"], queryFn: () => optional<Preferences>("/v1/users/me/notification-preferences") });
  const [draft, setDraft] = useState<Preferences | null>(null);
  useEffect(() => {
    if (q.data) setDraft(q.data);
  }, [q.data]);
  const save = useMutation({
    mutationFn: (p: Preferences) =>
      api<Preferences>("/v1/users/me/notification-preferences", {
        method: "PUT",
        body: {
          preferences: p.preferences,
          email_digest: p.email_digest,
          time_zone: p.time_zone || "UTC",
          ...(p.quiet_hours ? { quiet_hours: p.quiet_hours } : {}),
        },
      }),
    onSuccess: (p) => qc.setQueryData(["notification-preferences"], p),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorNote error={q.error} />;
  if (!q.data || !draft)
    return (
      <>
        <h1>{t("notify.settingsTitle")}</h1>
        <Unavailable />
      </>
    );
  const types = Array.from(new Set([...notificationTypes, ...draft.preferences.map((p) => p.type)]));
  const toggle = (type: string, channel: string, enabled: boolean) => {
    const rest = draft.preferences.filter((p) => !(p.type === type && p.channel === channel));
    setDraft({ ...draft, preferences: [...rest, { type, channel, enabled }] });
  };
  return (
    <>
      <h1>{t("notify.settingsTitle")}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(draft);
        }}
      >
        <table className="prefs">
          <caption>{t("notify.prefsCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("notify.type")}</th>
              {channels.map((c) => (
                <th scope="col" key={c}>
                  {t(`notify.channel.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {types.map((type) => (
              <tr key={type}>
                <th scope="row">{typeLabel(t, type)}</th>
                {channels.map((c) => (
                  <td key={c}>
                    <input
                      type="checkbox"
                      aria-label={`${typeLabel(t, type)}: ${t(`notify.channel.${c}`)}`}
                      checked={enabledOf(draft.preferences, type, c)}
                      onChange={(e) => toggle(type, c, e.target.checked)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <fieldset>
          <legend>{t("notify.digest")}</legend>
          {(["off", "daily", "weekly"] as const).map((d) => (
            <label key={d} className="inline">
              <input type="radio" name="digest" value={d} checked={draft.email_digest === d} onChange={() => setDraft({ ...draft, email_digest: d })} />{" "}
              {t(`notify.digest.${d}`)}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("notify.quiet")}</legend>
          <label className="inline">
            <input
              type="checkbox"
              checked={!!draft.quiet_hours}
              onChange={(e) => setDraft({ ...draft, quiet_hours: e.target.checked ? { start: "22:00", end: "07:00" } : null })}
            />{" "}
            {t("notify.quietOn")}
          </label>
          {draft.quiet_hours && (
            <>
              <label className="inline">
                {t("notify.quietFrom")}{" "}
                <input type="time" value={draft.quiet_hours.start} onChange={(e) => setDraft({ ...draft, quiet_hours: { ...draft.quiet_hours!, start: e.target.value } })} />
              </label>{" "}
              <label className="inline">
                {t("notify.quietTo")}{" "}
                <input type="time" value={draft.quiet_hours.end} onChange={(e) => setDraft({ ...draft, quiet_hours: { ...draft.quiet_hours!, end: e.target.value } })} />
              </label>
            </>
          )}
          <label className="inline">
            {t("notify.timeZone")}{" "}
            <input value={draft.time_zone} onChange={(e) => setDraft({ ...draft, time_zone: e.target.value })} placeholder={localZone()} />
          </label>
        </fieldset>
        <button type="submit" disabled={save.isPending}>
          {t("common.save")}
        </button>
        {save.isSuccess && <span role="status"> {t("common.saved")}</span>}
        {save.isError && <ErrorNote error={save.error} />}
      </form>
      <WebPush />
    </>
  );
}

function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return "UTC";
  }
}

function typeLabel(t: ReturnType<typeof useI18n>["t"], type: string): string {
  const key = `notify.type.${type}`;
  const s = t(key as never);
  return s === key || !s ? type : s;
}

/** WebPush subscribes this browser with the service worker's PushManager. */
export function WebPush() {
  const { t } = useI18n();
  const key = useQuery({ queryKey: ["vapid"], queryFn: () => optional<{ public_key: string }>("/v1/notifications/vapid-public-key"), retry: false });
  const [state, setState] = useState<"unknown" | "on" | "off" | "busy">("unknown");
  const [error, setError] = useState<unknown>(null);
  const supported = typeof navigator !== "undefined" && "serviceWorker" in navigator && typeof window !== "undefined" && "PushManager" in window;
  useEffect(() => {
    if (!supported) return;
    void navigator.serviceWorker.ready
      .then((reg) => reg.pushManager.getSubscription())
      .then((s) => setState(s ? "on" : "off"))
      .catch(() => setState("off"));
  }, [supported]);
  if (!key.data?.public_key) return null; // no push on this server
  if (!supported)
    return (
      <section>
        <h2>{t("notify.push")}</h2>
        <p className="note">{t("notify.pushUnsupported")}</p>
      </section>
    );
  const enable = async () => {
    setState("busy");
    setError(null);
    try {
      const reg = await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(key.data!.public_key) as BufferSource });
      const j = sub.toJSON();
      await api("/v1/users/me/push-subscriptions", { method: "POST", body: { endpoint: j.endpoint, keys: { p256dh: j.keys?.p256dh, auth: j.keys?.auth } } });
      setState("on");
    } catch (e) {
      setError(e);
      setState("off");
    }
  };
  const disable = async () => {
    setState("busy");
    setError(null);
    try {
      const reg = await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.getSubscription();
      if (sub) {
        await api(`/v1/users/me/push-subscriptions?endpoint=${encodeURIComponent(sub.endpoint)}`, { method: "DELETE" });
        await sub.unsubscribe();
      }
      setState("off");
    } catch (e) {
      setError(e);
      setState("on");
    }
  };
  return (
    <section>
      <h2>{t("notify.push")}</h2>
      <p>{state === "on" ? t("notify.pushOn") : t("notify.pushOff")}</p>
      {state === "on" ? (
        <button type="button" onClick={disable}>
          {t("notify.pushDisable")}
        </button>
      ) : (
        <button type="button" onClick={enable} disabled={state === "busy" || state === "unknown"}>
          {t("notify.pushEnable")}
        </button>
      )}
      {error != null && <ErrorNote error={error} />}
    </section>
  );
}
