import { Fragment } from "react";

/** highlightParts splits a server highlight into text runs, marking the runs
 * between `<mark>` and `</mark>`. Those two exact tags are the only markup the
 * search API may put in a highlight; everything else, including any other
 * tag-like text, stays text (React escapes it). Unbalanced markers are
 * tolerated: a stray `</mark>` is dropped, an unclosed `<mark>` runs to the end. */
export function highlightParts(s: string): { text: string; mark: boolean }[] {
  const out: { text: string; mark: boolean }[] = [];
  let mark = false;
  for (const piece of s.split(/(<mark>|<\/mark>)/)) {
    if (piece === "<mark>") mark = true;
    else if (piece === "</mark>") mark = false;
    else if (piece) {
      const last = out[out.length - 1];
      if (last && last.mark === mark) last.text += piece;
      else out.push({ text: piece, mark });
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
