import { Fragment } from "react";

const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** unescapeHTML turns the character references of an HTML-escaped string
 * back into characters. The result is only ever rendered as text. */
export function unescapeHTML(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (m, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : m;
    }
    return named[ref.toLowerCase()] ?? m;
  });
}

/** highlightParts splits a server highlight into text runs, marking the runs
 * between `<mark>` and `</mark>`. Those two exact tags are the only markup the
 * search API may put in a highlight; everything else, including any other
 * tag-like text, stays text (React escapes it). The search API HTML-escapes
 * the rest (`&lt;`, `&amp;`, `&#39;`…): those references are decoded back to
 * characters, which is safe because they are rendered as text. Unbalanced
 * markers are tolerated: a stray `</mark>` is dropped, an unclosed `<mark>`
 * runs to the end. */
export function highlightParts(s: string): { text: string; mark: boolean }[] {
  const out: { text: string; mark: boolean }[] = [];
  let mark = false;
  for (const piece of s.split(/(<mark>|<\/mark>)/)) {
    if (piece === "<mark>") mark = true;
    else if (piece === "</mark>") mark = false;
    else if (piece) {
      const text = unescapeHTML(piece);
      const last = out[out.length - 1];
      if (last && last.mark === mark) last.text += text;
      else out.push({ text, mark });
    }
  }
  return out;
}

/** Highlight renders a server highlight safely: text, with <mark> runs. */
export function Highlight({ text }: { text: string }) {
  return (
    <>
      {highlightParts(text).map((p, i) => (
        <Fragment key={i}>{p.mark ? <mark>{p.text}</mark> : p.text}</Fragment>
      ))}
    </>
  );
}
