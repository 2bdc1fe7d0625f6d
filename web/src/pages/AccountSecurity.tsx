// Account sections of identity (issue 15): sessions, the authenticator app
// (TOTP) with recovery codes, passkeys. Each is hidden when the server does
// not offer it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { api, ApiError, optional, signOut } from "../api";
import { Field } from "../components/Field";
import { ErrorNote } from "../components/Status";
import { useI18n } from "../i18n";
import type { Page } from "../types";
import { creationOptions, credentialJSON, passkeysSupported } from "../webauthn";

type Session = { id: string; device: string; address: string; method: string; created_at: string; last_used_at: string; current: boolean };

export function Sessions() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["sessions"], queryFn: () => optional<Page<Session>>("/v1/users/me/sessions") });
  const done = () => qc.invalidateQueries({ queryKey: ["sessions"] });
  const end = useMutation({ mutationFn: (id: string) => api(`/v1/users/me/sessions/${encodeURIComponent(id)}`, { method: "DELETE" }), onSuccess: done });
  const others = useMutation({ mutationFn: () => api("/v1/users/me/sessions?keep_current=true", { method: "DELETE" }), onSuccess: done });
  const all = useMutation({
    mutationFn: () => api("/v1/users/me/sessions", { method: "DELETE" }),
    onSuccess: async () => {
      await signOut();
      window.location.assign("/signin");
    },
  });
  if (!list.data) return null;
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return (
    <section aria-labelledby="sessions-h">
      <h2 id="sessions-h">{t("sessions.title")}</h2>
      <ul className="rows">
        {list.data.items.map((s) => (
          <li key={s.id}>
            <span>
              <strong>{s.device || t("sessions.unknownDevice")}</strong>
              {s.current && <> · {t("sessions.current")}</>}
              <br />
              <span className="meta">
                {s.address} · {t("sessions.lastUsed", { when: fmt.format(new Date(s.last_used_at)) })}
              </span>
            </span>
            {!s.current && (
              <button type="button" onClick={() => end.mutate(s.id)} aria-label={t("sessions.endOf", { device: s.device || t("sessions.unknownDevice") })}>
                {t("sessions.end")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <div className="toolbar">
        <button type="button" onClick={() => others.mutate()} disabled={others.isPending}>
          {t("sessions.endOthers")}
        </button>
        <button type="button" className="danger" onClick={() => all.mutate()} disabled={all.isPending}>
          {t("sessions.endAll")}
        </button>
      </div>
      {(end.isError || others.isError || all.isError) && <ErrorNote error={end.error ?? others.error ?? all.error} />}
    </section>
  );
}

type SecondFactor = { totp: boolean; recovery_codes_left: number };

/** QR draws an otpauth:// URI as an SVG QR code, here in the browser (the
 * secret never leaves for a third-party service). */
export function QR({ text, label }: { text: string; label: string }) {
  const [cells, setCells] = useState<boolean[][] | null>(null);
  const titleId = useId();
  useEffect(() => {
    let live = true;
    void import("qrcode-generator").then((m) => {
      const make = (m.default ?? m) as unknown as (type: number, level: "L" | "M" | "Q" | "H") => {
        addData(s: string): void;
        make(): void;
        getModuleCount(): number;
        isDark(r: number, c: number): boolean;
      };
      const qr = make(0, "M");
      qr.addData(text);
      qr.make();
      const n = qr.getModuleCount();
      const rows = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
      if (live) setCells(rows);
    });
    return () => {
      live = false;
    };
  }, [text]);
  if (!cells) return null;
  const n = cells.length + 8;
  return (
    <svg className="qr" viewBox={`0 0 ${n} ${n}`} role="img" aria-labelledby={titleId} shapeRendering="crispEdges">
      <title id={titleId}>{label}</title>
      <rect width={n} height={n} fill="#fff" />
      <path
        fill="#000"
        d={cells.flatMap((row, r) => row.map((dark, c) => (dark ? `M${c + 4} ${r + 4}h1v1h-1z` : ""))).join("")}
      />
    </svg>
  );
}

export function SecondFactorSection() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const state = useQuery({ queryKey: ["second-factor"], queryFn: () => optional<SecondFactor>("/v1/users/me/second-factor") });
  const [enrol, setEnrol] = useState<{ secret: string; otpauth_url: string } | null>(null);
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const fail = (e: unknown) => setErrors(e instanceof ApiError ? { ...e.fieldErrors(), _: e.message } : { _: String(e) });
  const start = useMutation({
    mutationFn: () => api<{ secret: string; otpauth_url: string }>("/v1/users/me/totp", { method: "POST" }),
    onMutate: () => setErrors({}),
    onSuccess: setEnrol,
    onError: fail,
  });
  const confirm = useMutation({
    mutationFn: () => api<{ recovery_codes: string[] }>("/v1/users/me/totp/confirm", { method: "POST", body: { code: code.replace(/\s/g, "") } }),
    onMutate: () => setErrors({}),
    onSuccess: (r) => {
      setCodes(r.recovery_codes);
      setEnrol(null);
      setCode("");
      void qc.invalidateQueries({ queryKey: ["second-factor"] });
    },
    onError: fail,
  });
  const disable = useMutation({
    mutationFn: () => api("/v1/users/me/totp/disable", { method: "POST", body: { code: code.replace(/\s/g, "") } }),
    onMutate: () => setErrors({}),
    onSuccess: () => {
      setCode("");
      setCodes([]);
      void qc.invalidateQueries({ queryKey: ["second-factor"] });
    },
    onError: fail,
  });
  if (!state.data) return null;
  const codeError = errors["body.code"] ?? errors.code;
  return (
    <section aria-labelledby="totp-h">
      <h2 id="totp-h">{t("totp.title")}</h2>
      {codes.length > 0 && (
        <div role="status">
          <p>
            <strong>{t("totp.codesOnce")}</strong>
          </p>
          <ul className="codes" aria-label={t("totp.codes")}>
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {state.data.totp ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            disable.mutate();
          }}
        >
          <p>{t("totp.on", { n: state.data.recovery_codes_left })}</p>
          <Field label={t("totp.codeOrRecovery")} autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} error={codeError} />
          <button type="submit" className="danger" disabled={disable.isPending}>
            {t("totp.disable")}
          </button>
        </form>
      ) : enrol ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            confirm.mutate();
          }}
        >
          <p>{t("totp.scan")}</p>
          <QR text={enrol.otpauth_url} label={t("totp.qr")} />
          <p>
            {t("totp.manual")} <code data-testid="totp-secret">{enrol.secret}</code>
          </p>
          <Field label={t("totp.code")} autoComplete="one-time-code" inputMode="numeric" required value={code} onChange={(e) => setCode(e.target.value)} error={codeError} />
          <button type="submit" className="primary" disabled={confirm.isPending}>
            {t("totp.confirm")}
          </button>
        </form>
      ) : (
        <>
          <p>{t("totp.off")}</p>
          <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
            {t("totp.start")}
          </button>
        </>
      )}
      {errors._ && !codeError && (
        <p role="alert" className="error">
          {errors._}
        </p>
      )}
    </section>
  );
}

type Passkey = { id: string; name?: string; created_at: string; last_used_at?: string | null };

export function Passkeys() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["passkeys"], queryFn: () => optional<Page<Passkey>>("/v1/users/me/passkeys") });
  const [name, setName] = useState("");
  const add = useMutation({
    mutationFn: async () => {
      const opts = await api<Record<string, unknown>>("/v1/users/me/passkeys/options", { method: "POST" });
      const cred = (await navigator.credentials.create(creationOptions(opts))) as PublicKeyCredential | null;
      if (!cred) throw new Error(t("auth.passkeyCancelled"));
      const ceremony = typeof opts.ceremony === "string" ? opts.ceremony : undefined;
      return api<Passkey>("/v1/users/me/passkeys", { method: "POST", body: { ceremony, name: name || undefined, credential: credentialJSON(cred) } });
    },
    onSuccess: () => {
      setName("");
      void qc.invalidateQueries({ queryKey: ["passkeys"] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/v1/users/me/passkeys/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["passkeys"] }),
  });
  if (!list.data) return null;
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
  return (
    <section aria-labelledby="passkeys-h">
      <h2 id="passkeys-h">{t("passkeys.title")}</h2>
      {list.data.items.length === 0 ? (
        <p>{t("passkeys.none")}</p>
      ) : (
        <ul className="rows">
          {list.data.items.map((p) => (
            <li key={p.id}>
              <span>
                {p.name || t("passkeys.unnamed")} · {t("passkeys.added", { when: fmt.format(new Date(p.created_at)) })}
              </span>
              <button type="button" onClick={() => remove.mutate(p.id)} aria-label={t("passkeys.removeOf", { name: p.name || t("passkeys.unnamed") })}>
                {t("common.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {passkeysSupported() ? (
        <form
          className="row-form"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Field label={t("passkeys.name")} value={name} onChange={(e) => setName(e.target.value)} placeholder={t("passkeys.namePlaceholder")} />
          <button type="submit" disabled={add.isPending}>
            {t("passkeys.add")}
          </button>
        </form>
      ) : (
        <p className="note">{t("passkeys.unsupported")}</p>
      )}
      {(add.isError || remove.isError) && <ErrorNote error={add.error ?? remove.error} />}
    </section>
  );
}

type Provider = { id: string; name?: string; display_name?: string };
/** The server does not offer linking (a calm note, not an error). */
class LinkingUnavailable extends Error {}
type LinkedIdentity = { provider: string; subject?: string; email?: string; created_at?: string };

/** LinkedProviders lists the sign-in providers (OIDC) linked to the account,
 * links another and unlinks one. It needs, besides the provider list,
 * `GET /v1/users/me/oidc-identities` (`{items: [{provider, email?,
 * created_at}]}`), `DELETE /v1/users/me/oidc-identities/{provider}` and a
 * linking start that answers its provider URL as JSON
 * (`GET /v1/auth/oidc/{id}/start?link=true` with `Accept: application/json`
 * → `{url}`), since a navigation cannot carry the access token; the section
 * is hidden while the server has no providers or no list of links. */
export function LinkedProviders() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const providers = useQuery({
    queryKey: ["oidc-providers"],
    queryFn: () => optional<{ items?: Provider[]; providers?: Provider[] }>("/v1/auth/oidc/providers"),
    retry: false,
    staleTime: 300_000,
  });
  const all = providers.data?.items ?? providers.data?.providers ?? [];
  const linked = useQuery({
    queryKey: ["oidc-identities"],
    queryFn: () => optional<Page<LinkedIdentity>>("/v1/users/me/oidc-identities"),
    enabled: all.length > 0,
    retry: false,
  });
  const link = useMutation({
    mutationFn: async (id: string) => {
      const res = await optional<{ url?: string; location?: string }>(`/v1/auth/oidc/${encodeURIComponent(id)}/start?link=true`);
      const to = res?.url || res?.location;
      if (!to || !/^https?:\/\//i.test(to)) throw new LinkingUnavailable();
      window.location.assign(to);
    },
  });
  const unlink = useMutation({
    mutationFn: (id: string) => api(`/v1/users/me/oidc-identities/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["oidc-identities"] }),
  });
  if (!all.length || !linked.data) return null;
  const nameOf = (id: string) => {
    const p = all.find((x) => x.id === id);
    return p?.display_name || p?.name || id;
  };
  const items = linked.data.items;
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
  const unlinkedProviders = all.filter((p) => !items.some((i) => i.provider === p.id));
  return (
    <section aria-labelledby="oidc-h">
      <h2 id="oidc-h">{t("oidc.title")}</h2>
      {items.length === 0 ? (
        <p>{t("oidc.none")}</p>
      ) : (
        <ul className="rows">
          {items.map((i) => (
            <li key={i.provider}>
              <span>
                <strong>{nameOf(i.provider)}</strong>
                {i.email && <> · {i.email}</>}
                {i.created_at && <> · {t("oidc.linkedOn", { when: fmt.format(new Date(i.created_at)) })}</>}
              </span>
              <button type="button" onClick={() => unlink.mutate(i.provider)} disabled={unlink.isPending} aria-label={t("oidc.unlinkOf", { name: nameOf(i.provider) })}>
                {t("oidc.unlink")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {unlinkedProviders.length > 0 && (
        <div className="providers">
          {unlinkedProviders.map((p) => (
            <button key={p.id} type="button" onClick={() => link.mutate(p.id)} disabled={link.isPending}>
              {t("oidc.link", { name: nameOf(p.id) })}
            </button>
          ))}
        </div>
      )}
      {link.error instanceof LinkingUnavailable && <p className="note">{t("oidc.linkUnavailable")}</p>}
      {((link.isError && !(link.error instanceof LinkingUnavailable)) || unlink.isError) && <ErrorNote error={unlink.error ?? link.error} />}
    </section>
  );
}
