import { useEffect, useState } from "react";
import { fileURL } from "../api";
import type { Media } from "../types";

/** useFileURL resolves where a player reads the item's file or one of its
 * derivatives (a signed link when the item is not public); null while it is
 * resolved, or when `enabled` is false (nothing is asked then). */
export function useFileURL(media: Media, derivative?: string, enabled = true): string | null {
  const [url, setURL] = useState<string | null>(null);
  const path = derivative
    ? media.derivatives?.find((d) => d.kind === derivative)?.url
    : media.content?.url || `/v1/media/${media.id}/content`;
  useEffect(() => {
    let live = true;
    if (!path || !enabled) {
      setURL(null);
      return;
    }
    fileURL(media.id, path, media.status === "published" || !!derivative).then(
      (u) => live && setURL(u),
      () => live && setURL(path),
    );
    return () => {
      live = false;
    };
  }, [media.id, media.status, path, derivative, enabled]);
  return url;
}
