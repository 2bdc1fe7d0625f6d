import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unavailable } from "../api";
import { useSession } from "../auth";
import { useI18n } from "../i18n";
import type { User } from "../types";

/** VerifyBanner asks a signed-in user whose address is not verified yet
 * (email_verified: false) to confirm it, and sends the mail again on demand.
 * Nothing when the server does not say (no email_verified field). */
export function VerifyBanner() {
  const { t } = useI18n();
  const { userId } = useSession();
  const me = useQuery({ queryKey: ["me"], queryFn: () => api<User>("/v1/users/me"), enabled: !!userId, retry: false });
  const [state, setState] = useState<"idle" | "busy" | "sent" | "absent" | "failed">("idle");
  if (!userId || me.data?.email_verified !== false || state === "absent") return null;
  const send = async () => {
    setState("busy");
    try {
      await api("/v1/users/me/email/verify", { method: "POST" });
      setState("sent");
    } catch (e) {
      setState(unavailable(e) ? "absent" : "failed");
    }
  };
  return (
    <div className="banner" role="region" aria-label={t("verify.banner")}>
      <span>{t("verify.please", { email: me.data.email })}</span>
      {state === "sent" ? (
        <span role="status">{t("verify.sent")}</span>
      ) : (
        <button type="button" onClick={send} disabled={state === "busy"}>
          {t("verify.resend")}
        </button>
      )}
      {state === "failed" && (
        <span role="alert" className="error">
          {t("verify.failed")}
        </span>
      )}
    </div>
  );
}
