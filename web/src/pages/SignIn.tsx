import { lazy, Suspense, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, ApiError, optional, secondFactors, signIn } from "../api";

// OIDC providers and passkeys are a chunk of their own.
const OtherSignIns = lazy(() => import("../components/OtherSignIns"));
import { Field } from "../components/Field";
import { useI18n } from "../i18n";

export function SignIn() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [step, setStep] = useState<"password" | "otp">("password");
  // The account's passkeys may answer instead of a code (the 401 names
  // "passkey" then), where the browser has WebAuthn.
  const [passkeyWay, setPasskeyWay] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await signIn(email, password, step === "otp" ? otp.replace(/\s/g, "") : undefined);
      navigate("/");
    } catch (err) {
      const ways = secondFactors(err);
      if (ways.length && step === "password") {
        setPasskeyWay(ways.includes("passkey") && typeof window !== "undefined" && "PublicKeyCredential" in window && !!navigator.credentials);
        setStep("otp");
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  };
  // The second factor from a passkey: a sign-in ceremony, the device's
  // answer, and the password sign-in again with it.
  const withPasskey = async () => {
    setBusy(true);
    setError("");
    try {
      const opts = await optional<Record<string, unknown>>("/v1/auth/passkey/options", { method: "POST" });
      if (!opts) {
        setPasskeyWay(false);
        throw new Error(t("auth.passkeyAbsent"));
      }
      const { assertion } = await import("../webauthn");
      const answer = await assertion(opts);
      if (!answer) throw new Error(t("auth.passkeyCancelled"));
      await signIn(email, password, { passkey: answer });
      navigate("/");
    } catch (err) {
      setError(err instanceof DOMException && err.name === "NotAllowedError" ? t("auth.passkeyCancelled") : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="narrow">
      <form onSubmit={submit} noValidate>
        <h1>{t("auth.signinTitle")}</h1>
        {step === "password" ? (
          <>
            <Field label={t("auth.email")} type="email" autoComplete="username webauthn" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <Field label={t("auth.password")} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </>
        ) : (
          <>
            <p role="status">{t("auth.otpNeeded")}</p>
            <Field
              label={t("auth.otp")}
              autoComplete="one-time-code"
              inputMode="text"
              required
              autoFocus
              value={otp}
              onChange={(e) => setOtp(e.target.value)}
              hint={t("auth.otpHint")}
            />
          </>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {step === "otp" ? t("auth.otpSubmit") : t("auth.signinSubmit")}
        </button>
        {step === "otp" && (
          <button type="button" className="ghost" onClick={() => { setStep("password"); setOtp(""); setError(""); }}>
            {t("common.cancel")}
          </button>
        )}
        {step === "otp" && passkeyWay && (
          <p>
            <button type="button" onClick={withPasskey} disabled={busy}>
              {t("auth.passkeySecond")}
            </button>
          </p>
        )}
      </form>
      {step === "password" && (
        <>
          <p>
            <Link to="/forgot-password">{t("auth.forgot")}</Link>
          </p>
          <Suspense fallback={null}>
            <OtherSignIns email={email} onDone={() => navigate("/")} />
          </Suspense>
          <p>
            {t("auth.noAccount")} <Link to="/signup">{t("nav.signup")}</Link>
          </p>
        </>
      )}
    </div>
  );
}

export function SignUp() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [form, setForm] = useState({ email: "", password: "", display_name: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError("");
    try {
      await api("/v1/users", { method: "POST", body: form });
      await signIn(form.email, form.password);
      navigate("/");
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="narrow" onSubmit={submit} noValidate>
      <h1>{t("auth.signupTitle")}</h1>
      <Field label={t("auth.displayName")} autoComplete="nickname" required value={form.display_name} onChange={set("display_name")} error={errors.display_name} />
      <Field label={t("auth.email")} type="email" autoComplete="email" required value={form.email} onChange={set("email")} error={errors.email} />
      <Field
        label={t("auth.password")}
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        value={form.password}
        onChange={set("password")}
        error={errors.password}
        hint={t("auth.passwordHint")}
      />
      {error && !Object.keys(errors).length && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {t("auth.signupSubmit")}
      </button>
      <p>
        {t("auth.haveAccount")} <Link to="/signin">{t("nav.signin")}</Link>
      </p>
    </form>
  );
}
