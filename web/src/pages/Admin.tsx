import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api";
import { useSession } from "../auth";
import { ErrorNote, Loading } from "../components/Status";
import { date } from "../format";
import { useI18n } from "../i18n";
import { ReportsQueue } from "./AdminReports";
import type { Media, Page, User } from "../types";

const services = ["identity", "catalog", "storage", "processing"];
const allRoles = ["reader", "author", "moderator", "admin"];

export function Admin() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <>
      <h1>{t("admin.title")}</h1>
      <ReportsQueue />
      <RemovedMedia />
      {session.has("admin") && <Users />}
      {session.has("admin") && <DeadLetters />}
    </>
  );
}

function RemovedMedia() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["media", "removed"], queryFn: () => api<Page<Media>>("/v1/media?status=removed&page_size=50") });
  const restore = useMutation({
    mutationFn: (id: string) => api(`/v1/media/${encodeURIComponent(id)}/restore`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["media"] }),
  });
  return (
    <section>
      <h2>{t("admin.removed")}</h2>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorNote error={q.error} />
      ) : q.data.items.length ? (
        <ul className="rows">
          {q.data.items.map((m) => (
            <li key={m.id}>
              <Link to={`/media/${m.id}`}>{m.title}</Link>
              <button type="button" onClick={() => restore.mutate(m.id)}>
                {t("admin.restore")}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t("common.none")}</p>
      )}
    </section>
  );
}

function Users() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const [q, setQ] = useState("");
  const users = useQuery({
    queryKey: ["users", q],
    queryFn: () => api<Page<User>>(`/v1/users?page_size=50${q ? `&q=${encodeURIComponent(q)}` : ""}`),
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Record<string, unknown> }) =>
      api(`/v1/users/${encodeURIComponent(id)}`, { method: "PATCH", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["users"] }),
  });
  return (
    <section>
      <h2>{t("admin.users")}</h2>
      <label>
        {t("browse.title")}
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </label>
      {users.isError && <ErrorNote error={users.error} />}
      {update.isError && <ErrorNote error={update.error} />}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("auth.email")}</th>
              <th scope="col">{t("auth.displayName")}</th>
              <th scope="col">{t("admin.roles")}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {users.data?.items.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.email}
                  <br />
                  <small>
                    <code>{u.id}</code> · {date(u.created_at, locale)}
                  </small>
                </td>
                <td>{u.display_name}</td>
                <td>
                  <fieldset className="inline-set">
                    <legend className="sr-only">
                      {t("admin.roles")} {u.email}
                    </legend>
                    {allRoles.map((r) => (
                      <label key={r} className="inline">
                        <input
                          type="checkbox"
                          checked={u.roles.includes(r)}
                          disabled={r === "reader"}
                          onChange={(e) =>
                            update.mutate({
                              id: u.id,
                              body: { roles: e.target.checked ? [...u.roles, r] : u.roles.filter((x) => x !== r) },
                            })
                          }
                        />{" "}
                        {r}
                      </label>
                    ))}
                  </fieldset>
                </td>
                <td>
                  <button type="button" onClick={() => update.mutate({ id: u.id, body: { suspended: !u.suspended } })}>
                    {u.suspended ? t("admin.unsuspend") : t("admin.suspend")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

type DeadLetter = { id: string; topic?: string; event_type?: string; error?: string; failed_at?: string; attempts?: number };

function DeadLetters() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [svc, setSvc] = useState(services[1]);
  const q = useQuery({
    queryKey: ["dead-letters", svc],
    queryFn: () => api<Page<DeadLetter>>(`/v1/admin/events/${svc}/dead-letters?page_size=50`),
  });
  const replay = useMutation({
    mutationFn: (id: string) => api(`/v1/admin/events/${svc}/dead-letters/${encodeURIComponent(id)}/replay`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["dead-letters", svc] }),
  });
  return (
    <section>
      <h2>{t("admin.deadLetters")}</h2>
      <label>
        {t("admin.service")}
        <select value={svc} onChange={(e) => setSvc(e.target.value)}>
          {services.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorNote error={q.error} />
      ) : q.data.items.length ? (
        <ul className="rows">
          {q.data.items.map((d) => (
            <li key={d.id}>
              <span>
                <code>{d.event_type ?? d.topic ?? d.id}</code> {d.error}
              </span>
              <button type="button" onClick={() => replay.mutate(d.id)}>
                {t("admin.replay")}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t("admin.noDeadLetters")}</p>
      )}
      {replay.isError && <ErrorNote error={replay.error} />}
    </section>
  );
}
