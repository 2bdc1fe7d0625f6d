import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { optional } from "../api";
import { useI18n } from "../i18n";
import type { Suggestion } from "../types";

export type Suggest = { label: string; type: string; href: string };

/** normalizeSuggestions turns the suggest answer into labelled links: a
 * title opens its item, an author its page, a tag its page; anything else
 * searches for the text. Empty labels are dropped; at most 10 are kept. */
export function normalizeSuggestions(body: { items?: Suggestion[]; suggestions?: Suggestion[] } | Suggestion[] | null): Suggest[] {
  const raw = Array.isArray(body) ? body : (body?.items ?? body?.suggestions ?? []);
  const out: Suggest[] = [];
  for (const s of raw) {
    const label = (s.text ?? s.title ?? s.name ?? s.label ?? "").trim();
    if (!label) continue;
    const type = (s.type ?? s.kind ?? "query").toLowerCase();
    const id = s.id ? encodeURIComponent(s.id) : "";
    let href = `/search?q=${encodeURIComponent(label)}`;
    if ((type === "media" || type === "title") && id) href = `/media/${id}`;
    else if (type === "author" && id) href = `/authors/${id}`;
    else if (type === "category" && id) href = `/categories/${id}`;
    else if (type === "tag") href = `/tags/${encodeURIComponent(label)}`;
    out.push({ label, type, href });
  }
  return out.slice(0, 10);
}

/** SearchBox is the header's search field: an ARIA 1.2 combobox whose list
 * comes from /v1/search/suggest (debounced). ↓/↑ move through the list,
 * Enter opens the active suggestion or searches, Escape closes the list. When
 * the search target is absent the box still submits to /search, which says so. */
export function SearchBox() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [text, setText] = useState(params.get("q") ?? "");
  const [items, setItems] = useState<Suggest[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const off = useRef(false); // the suggest endpoint is not there: stop asking
  const id = useId();
  const listId = `${id}-list`;

  useEffect(() => {
    const q = text.trim();
    if (!q || off.current) {
      setItems([]);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      optional<{ items?: Suggestion[] }>(`/v1/search/suggest?q=${encodeURIComponent(q)}`, { signal: ctl.signal }).then(
        (body) => {
          if (body === null) off.current = true;
          setItems(normalizeSuggestions(body));
          setActive(-1);
        },
        () => setItems([]),
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text]);

  const go = (href: string) => {
    setOpen(false);
    setActive(-1);
    navigate(href);
  };
  const submit = () => {
    const q = text.trim();
    if (active >= 0 && items[active]) go(items[active].href);
    else go(q ? `/search?q=${encodeURIComponent(q)}` : "/search");
  };
  const shown = open && items.length > 0;
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (items.length ? (a + 1) % items.length : -1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (items.length ? (a <= 0 ? items.length - 1 : a - 1) : -1));
    } else if (e.key === "Escape") {
      if (shown) e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  return (
    <form
      role="search"
      aria-label={t("search.site")}
      className="searchbox"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor={`${id}-input`} className="sr-only">
        {t("search.label")}
      </label>
      <input
        id={`${id}-input`}
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? `${id}-opt-${active}` : undefined}
        placeholder={t("search.placeholder")}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKey}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onFocus={() => setOpen(true)}
      />
      <ul id={listId} role="listbox" aria-label={t("search.suggestions")} className="suggestions" hidden={!shown}>
        {items.map((s, i) => (
          <li
            key={`${s.type}-${s.href}`}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "active" : undefined}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => go(s.href)}
          >
            {s.label} <span className="meta">{t(suggestTypeKey(s.type))}</span>
          </li>
        ))}
      </ul>
      <button type="submit" className="ghost">
        {t("search.submit")}
      </button>
    </form>
  );
}

function suggestTypeKey(type: string) {
  switch (type) {
    case "author":
      return "search.typeAuthor" as const;
    case "tag":
      return "search.typeTag" as const;
    case "category":
      return "search.typeCategory" as const;
    case "media":
    case "title":
      return "search.typeTitle" as const;
    default:
      return "search.typeQuery" as const;
  }
}
