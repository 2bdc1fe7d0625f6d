import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { MediaGrid } from "../components/MediaCard";
import { ErrorNote, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import type { Media, Page } from "../types";

/** homeSections are the rows of the home page. Continue listening, new from
 * follows and trending join this list as engagement and analytics land. */
const homeSections = [{ key: "new", title: "home.title" as const, query: "/v1/media?order_by=newest&page_size=24" }];

export function Home() {
  const { t } = useI18n();
  return (
    <>
      <p className="lead">{t("home.intro")}</p>
      {homeSections.map((s) => (
        <Section key={s.key} title={t(s.title)} path={s.query} />
      ))}
    </>
  );
}

function Section({ title, path }: { title: string; path: string }) {
  const q = useQuery({ queryKey: [path], queryFn: () => api<Page<Media>>(path) });
  return (
    <section aria-labelledby={`h-${title}`}>
      <h1 id={`h-${title}`}>{title}</h1>
      {q.isPending ? <Loading /> : q.isError ? <ErrorNote error={q.error} /> : <MediaGrid items={q.data.items} />}
    </section>
  );
}
