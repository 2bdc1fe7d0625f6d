import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { claims, onAuthChange, refreshSession } from "./api";

type Session = { ready: boolean; userId: string | null; roles: string[] };
const Ctx = createContext<Session>({ ready: false, userId: null, roles: [] });

function current(ready: boolean): Session {
  const c = claims();
  return { ready, userId: c?.sub ?? null, roles: c?.roles ?? [] };
}

/** SessionProvider restores the session from the refresh cookie on load and
 * re-renders whenever the in-memory access token changes. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [s, setS] = useState<Session>(() => current(false));
  useEffect(() => {
    const off = onAuthChange(() => setS(current(true)));
    refreshSession().finally(() => setS(current(true)));
    return () => {
      off();
    };
  }, []);
  return <Ctx.Provider value={s}>{children}</Ctx.Provider>;
}

export function useSession(): Session & { has: (role: string) => boolean } {
  const s = useContext(Ctx);
  return { ...s, has: (role) => s.roles.includes(role) || s.roles.includes("admin") };
}
