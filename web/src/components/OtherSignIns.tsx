import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { adoptSession, api, optional } from "../api";
import { useI18n } from "../i18n";
import { assertion, passkeysSupported } from "../webauthn";

type Provider = { id: string; name?: string; display_name?: string };

/** OtherSignIns: the OIDC providers the server lists, and passkeys; each
 * hidden when the server does not offer it. */
export default function OtherSignIns({ onDone }: { email?: string; onDone: () => void }) {
  const { t } = useI18n();
  const providers = useQuery({
    queryKey: ["oidc-providers"],
    queryFn: () => optional<{ items?: Provider[]; providers?: Provider[] }>("/v1/auth/oidc/providers"),
    retry: false,
    staleTime: 300_000,
  });
  const list = providers.data?.items ?? providers.data?.providers ?? [];
  const [passkey, setPasskey] = useState<"idle" | "busy" | "absent">("idle");
  const [error, setError] = useState("");
  const withPasskey = async () => {
    setPasskey("busy");
    setError("");
    try {
      const opts = await optional<Record<string, unknown>>("/v1/auth/passkey/options", { method: "POST" });
      if (!opts) {
        setPasskey("absent");
        return;
      }
      const answer = await assertion(opts);
      if (!answer) throw new Error(t("auth.passkeyCancelled"));
      const res = await api<{ access_token: string }>("/v1/auth/passkey", { method: "POST", body: answer });
      adoptSession(res.access_token);
      onDone();
      setPasskey("idle");
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setPasskey("idle");
    }
  };
  if (!list.length && !passkeysSupported()) return null;
  return (
    <section aria-labelledby="other-signin">
      <h2 id="other-signin">{t("auth.other")}</h2>
      <div className="providers">
        {list.map((p) => (
          <a key={p.id} className="button" href={`/v1/auth/oidc/${encodeURIComponent(p.id)}/start`}>
            {t("auth.withProvider", { name: p.display_name || p.name || p.id })}
          </a>
        ))}
        {passkeysSupported() && passkey !== "absent" && (
          <button type="button" onClick={withPasskey} disabled={passkey === "busy"}>
            {t("auth.withPasskey")}
          </button>
        )}
      </div>
      {passkey === "absent" && <p className="note">{t("auth.passkeyAbsent")}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

