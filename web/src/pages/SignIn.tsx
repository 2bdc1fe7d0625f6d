import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, ApiError, signIn } from "../api";
import { Field } from "../components/Field";
import { useI18n } from "../i18n";

export function SignIn() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await signIn(email, password);
      navigate("/");
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="narrow" onSubmit={submit} noValidate>
      <h1>{t("auth.signinTitle")}</h1>
      <Field label={t("auth.email")} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <Field label={t("auth.password")} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {t("auth.signinSubmit")}
      </button>
      <p>
        {t("auth.noAccount")} <Link to="/signup">{t("nav.signup")}</Link>
      </p>
    </form>
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
