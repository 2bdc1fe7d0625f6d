import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { optional } from "../api";
import { metrics, type Metric, type Point, type Timeseries } from "../analytics";
import { useI18n } from "../i18n";
import { ErrorNote, Loading } from "./Status";

const dayMs = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** statsQuery is the API call for a range of whole days (UTC), `to` included. */
export function statsQuery(authorId: string, from: string, to: string, interval: "hour" | "day"): string {
  const end = new Date(Date.parse(to + "T00:00:00Z") + dayMs);
  const p = new URLSearchParams({ from: from + "T00:00:00Z", to: end.toISOString().replace(".000", ""), interval });
  return `/v1/authors/${encodeURIComponent(authorId)}/stats/timeseries?${p}`;
}

/** AuthorStats: an author's views, viewers, likes, completions and new
 * followers over time, as an SVG bar chart with the same figures in a
 * table. Hidden when analytics is absent. */
export function AuthorStats({ authorId, now = new Date() }: { authorId: string; now?: Date }) {
  const { t, locale } = useI18n();
  const [from, setFrom] = useState(isoDay(new Date(now.getTime() - 29 * dayMs)));
  const [to, setTo] = useState(isoDay(now));
  const [interval, setInterval] = useState<"hour" | "day">("day");
  const [metric, setMetric] = useState<Metric>("views");
  const path = statsQuery(authorId, from, to, interval);
  const q = useQuery({ queryKey: ["author-stats", path], queryFn: () => optional<Timeseries>(path) });
  if (q.data === null) return null;
  return (
    <section aria-labelledby="stats-h">
      <h2 id="stats-h">{t("stats.title")}</h2>
      <div className="filters">
        <label>
          {t("stats.from")}
          <input type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </label>
        <label>
          {t("stats.to")}
          <input type="date" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </label>
        <label>
          {t("stats.interval")}
          <select value={interval} onChange={(e) => setInterval(e.target.value as "hour" | "day")}>
            <option value="day">{t("stats.interval.day")}</option>
            <option value="hour">{t("stats.interval.hour")}</option>
          </select>
        </label>
        <label>
          {t("stats.metric")}
          <select value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
            {metrics.map((m) => (
              <option key={m} value={m}>
                {t(`stats.m.${m}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorNote error={q.error} />
      ) : (
        <Chart points={q.data!.total} metric={metric} interval={interval} label={t(`stats.m.${metric}`)} locale={locale} />
      )}
    </section>
  );
}

const value = (p: Point, m: Metric) => p[m] ?? 0;

function Chart({ points, metric, interval, label, locale }: { points: Point[]; metric: Metric; interval: string; label: string; locale: string }) {
  const { t } = useI18n();
  const titleId = useId();
  const fmt = new Intl.DateTimeFormat(locale, interval === "hour" ? { dateStyle: "short", timeStyle: "short", timeZone: "UTC" } : { dateStyle: "medium", timeZone: "UTC" });
  const total = points.reduce((s, p) => s + value(p, metric), 0);
  const max = Math.max(1, ...points.map((p) => value(p, metric)));
  const W = 600;
  const H = 160;
  const bw = points.length ? W / points.length : W;
  const summary = t("stats.summary", { metric: label, total, n: points.length, max: points.length ? Math.max(...points.map((p) => value(p, metric))) : 0 });
  return (
    <>
      <svg className="chart" viewBox={`0 0 ${W} ${H + 20}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{summary}</title>
        <line className="axis" x1={0} y1={H} x2={W} y2={H} />
        {points.map((p, i) => {
          const h = (value(p, metric) / max) * (H - 10);
          return (
            <rect key={p.start} className="bar" x={i * bw + bw * 0.1} y={H - h} width={Math.max(1, bw * 0.8)} height={h}>
              <title>{`${fmt.format(new Date(p.start))}: ${value(p, metric)}`}</title>
            </rect>
          );
        })}
        <text x={0} y={H + 15}>
          {points.length ? fmt.format(new Date(points[0].start)) : ""}
        </text>
        <text x={W} y={H + 15} textAnchor="end">
          {points.length ? fmt.format(new Date(points[points.length - 1].start)) : ""}
        </text>
        <text x={2} y={10}>
          {max}
        </text>
      </svg>
      <p>{summary}</p>
      <details>
        <summary>{t("stats.table")}</summary>
        <div className="table-wrap">
          <table>
            <caption>{t("stats.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("stats.when")}</th>
                {metrics.map((m) => (
                  <th scope="col" key={m}>
                    {t(`stats.m.${m}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.start}>
                  <th scope="row">{fmt.format(new Date(p.start))}</th>
                  {metrics.map((m) => (
                    <td key={m}>{value(p, m)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
