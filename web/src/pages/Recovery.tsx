import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, ApiError, unavailable } from "../api";
import { useSession } from "../auth";
import { Field } from "../components/Field";
import { useI18n } from "../i18n";

/** ForgotPassword asks for a reset link (POST /v1/auth/password-reset). The
 * answer is the same whether the address has an account or not. */
export function ForgotPassword() {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [state, setState] = useState<"idle" | "busy" | "sent" | "absent">("idle");
  const [error, setError] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState("busy");
    setError("");
    try {
      await api("/v1/auth/password-reset", { method: "POST", body: { email } });
      setState("sent");
    } catch (err) {
      if (unavailable(err)) return setState("absent");
      setError(err instanceof ApiError ? err.fieldErrors()["body.email"] || err.message : String(err));
      setState("idle");
    }
  };
  return (
    <form className="narrow" onSubmit={submit}>
      <h1>{t("reset.title")}</h1>
      {state === "sent" ? (
        <p role="status">{t("reset.sent", { email })}</p>
      ) : state === "absent" ? (
        <p className="note">{t("reset.absent")}</p>
      ) : (
        <>
          <p>{t("reset.intro")}</p>
          <Field label={t("auth.email")} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={error || undefined} />
          <button type="submit" className="primary" disabled={state === "busy"}>
            {t("reset.send")}
          </button>
        </>
      )}
      <p>
        <Link to="/signin">{t("nav.signin")}</Link>
      </p>
    </form>
  );
}

/** ResetPassword is where the mailed link lands (/reset-password?token=…). */
export function ResetPassword() {
  const { t } = useI18n();
  const [sp] = useSearchParams();
  const token = sp.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await api("/v1/auth/password-reset/confirm", { method: "POST", body: { token, new_password: password } });
      setDone(true);
    } catch (err) {
      setErrors(err instanceof ApiError ? { ...err.fieldErrors(), _: unavailable(err) ? t("reset.absent") : err.message } : { _: String(err) });
    } finally {
      setBusy(false);
    }
  };
  if (!token)
    return (
      <div className="narrow">
        <h1>{t("reset.newTitle")}</h1>
        <p role="alert" className="error">
          {t("reset.noToken")}
        </p>
        <Link to="/forgot-password">{t("reset.again")}</Link>
      </div>
    );
  return (
    <form className="narrow" onSubmit={submit}>
      <h1>{t("reset.newTitle")}</h1>
      {done ? (
        <p role="status">
          {t("reset.done")} <Link to="/signin">{t("nav.signin")}</Link>
        </p>
      ) : (
        <>
          <Field
            label={t("account.new")}
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors["body.new_password"] ?? errors.new_password}
            hint={t("auth.passwordHint")}
          />
          <button type="submit" className="primary" disabled={busy}>
            {t("common.save")}
          </button>
          {errors._ && (
            <p role="alert" className="error">
              {errors._} {(errors["body.token"] || errors.token) && <Link to="/forgot-password">{t("reset.again")}</Link>}
            </p>
          )}
        </>
      )}
    </form>
  );
}

/** VerifyEmail is where the verification link lands (/verify-email?token=…):
 * it confirms the address once, by itself. */
export function VerifyEmail() {
  const { t } = useI18n();
  const [sp] = useSearchParams();
  const token = sp.get("token") ?? "";
  const [state, setState] = useState<"busy" | "done" | "failed" | "absent">("busy");
  const [error, setError] = useState("");
  const sent = useRef(false);
  const session = useSession();
  useEffect(() => {
    if (!session.ready || sent.current) return;
    sent.current = true;
    if (!token) {
      setState("failed");
      setError(t("reset.noToken"));
      return;
    }
    api("/v1/users/me/email/verify", { method: "POST", body: { token } })
      .then(() => setState("done"))
      .catch((err) => {
        if (unavailable(err)) return setState("absent");
        setError(err instanceof ApiError && err.problem.status === 401 ? t("verify.signIn") : err instanceof Error ? err.message : String(err));
        setState("failed");
      });
  }, [token, t, session.ready]);
  return (
    <div className="narrow">
      <h1>{t("verify.title")}</h1>
      {state === "busy" && <p role="status">{t("common.loading")}</p>}
      {state === "done" && <p role="status">{t("verify.done")}</p>}
      {state === "absent" && <p className="note">{t("verify.absent")}</p>}
      {state === "failed" && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Link to="/">{t("common.backHome")}</Link>
    </div>
  );
}
