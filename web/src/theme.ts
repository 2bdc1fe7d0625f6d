export type ThemeMode = "system" | "light" | "dark";
const PREF = "alexandria.theme"; // a preference, not a secret

export function savedTheme(): ThemeMode {
  const v = localStorage.getItem(PREF);
  return v === "light" || v === "dark" ? v : "system";
}

/** applyTheme sets data-theme on <html>; "system" leaves it to
 * prefers-color-scheme in the stylesheet. */
export function applyTheme(mode: ThemeMode) {
  if (mode === "system") {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem(PREF);
  } else {
    document.documentElement.dataset.theme = mode;
    localStorage.setItem(PREF, mode);
  }
}

export const nextTheme = (m: ThemeMode): ThemeMode => (m === "system" ? "light" : m === "light" ? "dark" : "system");
