import { useEffect } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { refreshSession } from "../api";
import { useI18n } from "../i18n";

/** AuthCallback is where a provider sign-in (GET /v1/auth/oidc/{id}/start)
 * ends when it fails: identity puts the reason in the fragment, which never
 * reaches a server log or a Referer. Without one, the session cookie is
 * already set: pick it up and go home. */
export function AuthCallback() {
  const { t } = useI18n();
  const { hash } = useLocation();
  const navigate = useNavigate();
  const error = new URLSearchParams(hash.replace(/^#/, "")).get("error");
  useEffect(() => {
    if (error === null) void refreshSession().finally(() => navigate("/", { replace: true }));
  }, [error, navigate]);
  if (error === null) return null;
  return (
    <>
      <h1>{t("auth.ssoFailed")}</h1>
      <p role="alert">{error}</p>
      <p>
        <Link to="/signin">{t("auth.ssoTryAgain")}</Link>
      </p>
    </>
  );
}
