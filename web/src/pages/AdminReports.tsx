import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, optional } from "../api";
import { reportReasons } from "../components/Engagement";
import { ErrorNote, Loading } from "../components/Status";
import { date } from "../format";
import { useI18n } from "../i18n";
import type { Page, Report } from "../types";

export type Resolution = "dismiss" | "remove" | "suspend";

/** actionsFor lists what a moderator may do with a report: removal for
 * media and authors (catalog), suspension for users (identity). */
export function actionsFor(r: Pick<Report, "target_type">): Resolution[] {
  return r.target_type === "user" ? ["dismiss", "suspend"] : ["dismiss", "remove"];
}

/** ReportsQueue is the moderators' queue of open reports; it is absent when
 * the engagement target is. */
export function ReportsQueue() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["reports", "open"],
    queryFn: () => optional<Page<Report>>("/v1/admin/reports?state=open&page_size=100"),
    retry: false,
  });
  const resolve = useMutation({
    mutationFn: ({ id, action }: { id: string; action: Resolution }) =>
      api(`/v1/admin/reports/${encodeURIComponent(id)}/resolve`, { method: "POST", body: { action } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["reports"] });
      void qc.invalidateQueries({ queryKey: ["media"] });
    },
  });
  if (q.isSuccess && q.data === null) return null;
  return (
    <section aria-labelledby="h-reports">
      <h2 id="h-reports">{t("reports.title")}</h2>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorNote error={q.error} />
      ) : !q.data?.items.length ? (
        <p>{t("reports.none")}</p>
      ) : (
        <ul className="rows" data-testid="reports">
          {q.data.items.map((r) => (
            <li key={r.id}>
              <span>
                <strong>{(reportReasons as readonly string[]).includes(r.reason) ? t(`report.reason_${r.reason as "spam"}`) : r.reason}</strong> · <Target r={r} />
                {r.created_at && <span className="meta"> · {date(r.created_at, locale)}</span>}
                {r.note && <span className="prose"> — {r.note}</span>}
              </span>
              <span className="controls">
                {actionsFor(r).map((a) => (
                  <button
                    key={a}
                    type="button"
                    className={a === "dismiss" ? undefined : "danger"}
                    disabled={resolve.isPending}
                    onClick={() => resolve.mutate({ id: r.id, action: a })}
                  >
                    {t(`reports.${a}`)}
                  </button>
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
      {resolve.isError && <ErrorNote error={resolve.error} />}
    </section>
  );
}

function Target({ r }: { r: Report }) {
  const { t } = useI18n();
  const label = t(`reports.target_${r.target_type}`);
  if (r.target_type === "media") return <Link to={`/media/${encodeURIComponent(r.target_id)}`}>{label}</Link>;
  if (r.target_type === "author") return <Link to={`/authors/${encodeURIComponent(r.target_id)}`}>{label}</Link>;
  return (
    <>
      {label} <code>{r.target_id}</code>
    </>
  );
}
