import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Webhooks } from "../components/Webhooks";
import { AuthorStats } from "../components/StatsChart";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, ApiError } from "../api";
import { useSession } from "../auth";
import { Field } from "../components/Field";
import { MediaGrid } from "../components/MediaCard";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import { kinds, type Author, type Kind, type Media, type Page } from "../types";

export function Studio() {
  const { t } = useI18n();
  const session = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const mine = useQuery({ queryKey: ["authors", "mine"], queryFn: () => api<Page<Author>>("/v1/authors?member_id=me&page_size=100") });
  const [name, setName] = useState("");
  const [bio, setBio] = useState("");
  const create = useMutation({
    mutationFn: () => api<Author>("/v1/authors", { method: "POST", body: { name, bio } }),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: ["authors"] });
      navigate(`/studio/authors/${a.id}`);
    },
  });
  return (
    <>
      <h1>{t("studio.title")}</h1>
      <section>
        <h2>{t("studio.yourAuthors")}</h2>
        {mine.isPending ? (
          <Loading />
        ) : mine.isError ? (
          <ErrorNote error={mine.error} />
        ) : mine.data.items.length ? (
          <ul className="rows">
            {mine.data.items.map((a) => (
              <li key={a.id}>
                <Link to={`/authors/${a.id}`}>{a.name}</Link>
                <Link to={`/studio/authors/${a.id}`}>{t("studio.manage")}</Link>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t("common.none")}</p>
        )}
      </section>
      <section>
        <h2>{t("studio.newAuthor")}</h2>
        {!session.has("author") ? (
          <p>{t("studio.needsAuthorRole")}</p>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate();
            }}
          >
            <Field label={t("studio.authorName")} required value={name} onChange={(e) => setName(e.target.value)}
              error={create.error instanceof ApiError ? create.error.fieldErrors().name : undefined} />
            <TextArea label={t("studio.bio")} value={bio} onChange={setBio} />
            <button type="submit" className="primary" disabled={create.isPending}>
              {t("studio.create")}
            </button>
            {create.isError && <ErrorNote error={create.error} />}
          </form>
        )}
      </section>
    </>
  );
}

export function TextArea({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return (
    <div className="field">
      <label>
        {label}
        <textarea value={value} rows={4} onChange={(e) => onChange(e.target.value)} />
      </label>
    </div>
  );
}

export function StudioAuthor() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const author = useQuery({ queryKey: ["author", id], queryFn: () => api<Author>(`/v1/authors/${encodeURIComponent(id)}`) });
  const media = useQuery({
    queryKey: ["media", "author", id],
    queryFn: () => api<Page<Media>>(`/v1/media?author_id=${encodeURIComponent(id)}&page_size=100`),
  });
  const [memberId, setMemberId] = useState("");
  const [role, setRole] = useState("member");
  const addMember = useMutation({
    mutationFn: () => api(`/v1/authors/${encodeURIComponent(id)}/members`, { method: "POST", body: { user_id: memberId, role } }),
    onSuccess: () => {
      setMemberId("");
      void qc.invalidateQueries({ queryKey: ["author", id] });
    },
  });
  const removeMember = useMutation({
    mutationFn: (uid: string) => api(`/v1/authors/${encodeURIComponent(id)}/members/${encodeURIComponent(uid)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["author", id] }),
  });
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState<Kind>("podcast");
  const createMedia = useMutation({
    mutationFn: () => api<Media>("/v1/media", { method: "POST", body: { title, kind, author_ids: [id] } }),
    onSuccess: (m) => navigate(`/studio/media/${m.id}`),
  });
  if (author.isPending) return <Loading />;
  if (author.isError) return <ErrorNote error={author.error} />;
  const a = author.data;
  return (
    <>
      <h1>{a.name}</h1>
      <section>
        <h2>{t("studio.newMedia")}</h2>
        <form
          className="row-form"
          onSubmit={(e) => {
            e.preventDefault();
            createMedia.mutate();
          }}
        >
          <Field label={t("studio.title_")} required value={title} onChange={(e) => setTitle(e.target.value)} />
          <div className="field">
            <label>
              {t("studio.kind")}
              <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {t(`kind.${k}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <button type="submit" className="primary" disabled={createMedia.isPending}>
            {t("studio.create")}
          </button>
          {createMedia.isError && <ErrorNote error={createMedia.error} />}
        </form>
      </section>
      <section>
        <h2>{t("studio.media")}</h2>
        {media.data && <MediaGrid items={media.data.items} />}
      </section>
      <section>
        <h2>{t("author.members")}</h2>
        <ul className="rows">
          {a.members?.map((m) => (
            <li key={m.user_id}>
              <code>{m.user_id}</code> · {m.role}
              <button type="button" onClick={() => removeMember.mutate(m.user_id)}>
                {t("studio.remove")}
              </button>
            </li>
          ))}
        </ul>
        {removeMember.isError && <ErrorNote error={removeMember.error} />}
        <form
          className="row-form"
          onSubmit={(e) => {
            e.preventDefault();
            addMember.mutate();
          }}
        >
          <Field label={t("studio.memberUserId")} required value={memberId} onChange={(e) => setMemberId(e.target.value)} />
          <div className="field">
            <label>
              {t("studio.role")}
              <select value={role} onChange={(e) => setRole(e.target.value)}>
                <option value="member">member</option>
                <option value="owner">owner</option>
              </select>
            </label>
          </div>
          <button type="submit">{t("studio.addMember")}</button>
          {addMember.isError && <ErrorNote error={addMember.error} />}
        </form>
      </section>
      <AuthorStats authorId={id} />
      <Webhooks authorId={id} />
    </>
  );
}
