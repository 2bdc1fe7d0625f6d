import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { NavLink } from "react-router";
import { useSession } from "../auth";
import { useI18n } from "../i18n";
import { streamNotifications, unreadCount } from "../notify";

/** Bell shows the unread count, live through the notification stream (or
 * polled every minute when the stream is not there); hidden when the
 * notify target is absent. */
export function Bell() {
  const { t } = useI18n();
  const { userId } = useSession();
  const qc = useQueryClient();
  const [live, setLive] = useState(false);
  const count = useQuery({
    queryKey: ["notifications", "unread", userId],
    queryFn: unreadCount,
    enabled: !!userId,
    refetchInterval: live ? false : 60_000,
  });
  const present = !!count.data;
  useEffect(() => {
    if (!userId || !present) return;
    const ctl = new AbortController();
    void streamNotifications(
      () => void qc.invalidateQueries({ queryKey: ["notifications"] }),
      ctl.signal,
      () => setLive(true),
    ).then((ok) => {
      if (!ok && !ctl.signal.aborted) setLive(false);
    });
    return () => {
      ctl.abort();
      setLive(false);
    };
  }, [userId, present, qc]);
  if (!userId || !count.data) return null;
  const n = count.data.unread;
  return (
    <NavLink to="/notifications" className="bell" aria-label={t("notify.bell", { count: n })} data-live={live ? "sse" : "poll"}>
      <span aria-hidden="true">🔔</span>
      {n > 0 && (
        <span className="badge" aria-hidden="true">
          {n > 99 ? "99+" : n}
        </span>
      )}
    </NavLink>
  );
}
