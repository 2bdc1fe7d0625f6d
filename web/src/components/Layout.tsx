import { useState } from "react";
import { Link, NavLink, Outlet, useNavigate } from "react-router";
import { signOut } from "../api";
import { useSession } from "../auth";
import { locales, useI18n, type Locale } from "../i18n";
import { Bell } from "./Bell";
import { OpdsLinks } from "./FeedLinks";
import { SearchBox } from "./SearchBox";
import { VerifyBanner } from "./VerifyBanner";
import { applyTheme, nextTheme, savedTheme, type ThemeMode } from "../theme";

export function Layout() {
  const { t, locale, setLocale } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const [theme, setTheme] = useState<ThemeMode>(savedTheme());
  const toggleTheme = () => {
    const n = nextTheme(theme);
    applyTheme(n);
    setTheme(n);
  };
  return (
    <>
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="top">
        <Link to="/" className="brand">
          {t("app.name")}
        </Link>
        <SearchBox />
        <nav aria-label={t("nav.main")}>
          <ul>
            <li>
              <NavLink to="/" end>
                {t("nav.home")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/browse">{t("nav.browse")}</NavLink>
            </li>
            <li>
              <NavLink to="/trending">{t("nav.trending")}</NavLink>
            </li>
            {session.userId && (
              <li>
                <NavLink to="/collections">{t("nav.collections")}</NavLink>
              </li>
            )}
            {session.userId && (
              <li>
                <NavLink to="/studio">{t("nav.studio")}</NavLink>
              </li>
            )}
            {(session.has("moderator") || session.has("admin")) && (
              <li>
                <NavLink to="/admin">{t("nav.admin")}</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div className="tools">
          <button type="button" className="ghost" onClick={toggleTheme}>
            {t("theme.toggle", { mode: t(`theme.${theme}`) })}
          </button>
          <label className="lang">
            <span className="sr-only">{t("lang.label")}</span>
            <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
              {locales.map((l) => (
                <option key={l} value={l}>
                  {l.toUpperCase()}
                </option>
              ))}
            </select>
          </label>
          {session.userId ? (
            <>
              <Bell />
              <NavLink to="/account">{t("nav.account")}</NavLink>
              <button
                type="button"
                className="ghost"
                onClick={async () => {
                  await signOut();
                  navigate("/");
                }}
              >
                {t("nav.signout")}
              </button>
            </>
          ) : (
            <>
              <NavLink to="/signin">{t("nav.signin")}</NavLink>
              <NavLink to="/signup" className="button">
                {t("nav.signup")}
              </NavLink>
            </>
          )}
        </div>
      </header>
      <VerifyBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="bottom">
        <p>
          <OpdsLinks />
          <a href="/docs">{t("footer.api")}</a>
        </p>
      </footer>
    </>
  );
}
