import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../api";
import { Link } from "react-router";
import { Field } from "../components/Field";
import { LinkedProviders, Passkeys, SecondFactorSection, Sessions } from "./AccountSecurity";
import { ErrorNote, Loading } from "../components/Status";
import { date } from "../format";
import { useI18n } from "../i18n";
import type { Page, User } from "../types";

type APIToken = { id: string; name: string; scopes: string[]; created_at: string; expires_at: string; token?: string };

export function Account() {
  const { t } = useI18n();
  const me = useQuery({ queryKey: ["me"], queryFn: () => api<User>("/v1/users/me") });
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorNote error={me.error} />;
  return (
    <>
      <h1>{t("account.title")}</h1>
      <Profile user={me.data} />
      <Password />
      <SecondFactorSection />
      <Passkeys />
      <LinkedProviders />
      <Sessions />
      <Tokens />
      <p>
        <Link to="/notifications/settings">{t("notify.settings")}</Link>
      </p>
    </>
  );
}

function Profile({ user }: { user: User }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [name, setName] = useState(user.display_name);
  const save = useMutation({
    mutationFn: () => api<User>("/v1/users/me", { method: "PATCH", body: { display_name: name } }),
    onSuccess: (u) => qc.setQueryData(["me"], u),
  });
  return (
    <section>
      <h2>{t("account.profile")}</h2>
      <p>
        {user.email} · {t("account.roles", { roles: user.roles.join(", ") })}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Field label={t("auth.displayName")} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">{t("common.save")}</button>
        {save.isSuccess && <span role="status"> {t("common.saved")}</span>}
        {save.isError && <ErrorNote error={save.error} />}
      </form>
    </section>
  );
}

function Password() {
  const { t } = useI18n();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setDone(false);
    try {
      await api("/v1/users/me/password", { method: "POST", body: { current_password: current, new_password: next } });
      setDone(true);
      setCurrent("");
      setNext("");
    } catch (err) {
      setErrors(err instanceof ApiError ? { ...err.fieldErrors(), _: err.message } : { _: String(err) });
    }
  };
  return (
    <section>
      <h2>{t("account.password")}</h2>
      <form onSubmit={submit}>
        <Field label={t("account.current")} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={errors.current_password} />
        <Field label={t("account.new")} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={errors.new_password} hint={t("auth.passwordHint")} />
        <button type="submit">{t("common.save")}</button>
        {done && <span role="status"> {t("common.saved")}</span>}
        {errors._ && (
          <p role="alert" className="error">
            {errors._}
          </p>
        )}
      </form>
    </section>
  );
}

function Tokens() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["tokens"], queryFn: () => api<Page<APIToken>>("/v1/users/me/tokens") });
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["read"]);
  const [days, setDays] = useState(90);
  const [secret, setSecret] = useState("");
  const create = useMutation({
    mutationFn: () => api<APIToken>("/v1/users/me/tokens", { method: "POST", body: { name, scopes, expires_in_days: days } }),
    onSuccess: (tok) => {
      setSecret(tok.token ?? "");
      setName("");
      void qc.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/v1/users/me/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["tokens"] }),
  });
  return (
    <section>
      <h2>{t("account.tokens")}</h2>
      {list.data && (
        <ul className="rows">
          {list.data.items.map((tok) => (
            <li key={tok.id}>
              <span>
                {tok.name} · {tok.scopes.join(", ")} · {date(tok.expires_at, locale)}
              </span>
              <button type="button" onClick={() => revoke.mutate(tok.id)}>
                {t("account.tokenRevoke")}
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
        <Field label={t("account.tokenName")} value={name} onChange={(e) => setName(e.target.value)} required />
        <fieldset>
          <legend>{t("account.tokenScopes")}</legend>
          {["read", "write"].map((s) => (
            <label key={s} className="inline">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />{" "}
              {s}
            </label>
          ))}
        </fieldset>
        <Field label={t("account.tokenDays")} type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} />
        <button type="submit">{t("account.tokenCreate")}</button>
        {create.isError && <ErrorNote error={create.error} />}
      </form>
      {secret && (
        <p role="status">
          {t("account.tokenSecret")} <code>{secret}</code>
        </p>
      )}
    </section>
  );
}
