import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, type ReactNode } from "react";
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from "react-router";
import { SessionProvider, useSession } from "./auth";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Status";
import { I18nProvider } from "./i18n";
import { Author } from "./pages/Author";
import { Browse } from "./pages/Browse";
import { Category, Tag } from "./pages/Category";
import { Home } from "./pages/Home";
import { MediaPage } from "./pages/MediaPage";
import { NotFound } from "./pages/NotFound";
import { SignIn, SignUp } from "./pages/SignIn";

// Signed-in areas are their own chunks: readers never download them.
const Account = lazy(() => import("./pages/Account").then((m) => ({ default: m.Account })));
const Studio = lazy(() => import("./pages/Studio").then((m) => ({ default: m.Studio })));
const StudioAuthor = lazy(() => import("./pages/Studio").then((m) => ({ default: m.StudioAuthor })));
const StudioMedia = lazy(() => import("./pages/StudioMedia").then((m) => ({ default: m.StudioMedia })));
const Search = lazy(() => import("./pages/Search").then((m) => ({ default: m.Search })));
const Collections = lazy(() => import("./pages/Collections").then((m) => ({ default: m.Collections })));
const CollectionPage = lazy(() => import("./pages/Collections").then((m) => ({ default: m.CollectionPage })));
const Notifications = lazy(() => import("./pages/Notifications").then((m) => ({ default: m.Notifications })));
const NotificationSettings = lazy(() => import("./pages/Notifications").then((m) => ({ default: m.NotificationSettings })));
const Trending = lazy(() => import("./pages/Trending").then((m) => ({ default: m.Trending })));
const ForgotPassword = lazy(() => import("./pages/Recovery").then((m) => ({ default: m.ForgotPassword })));
const ResetPassword = lazy(() => import("./pages/Recovery").then((m) => ({ default: m.ResetPassword })));
const VerifyEmail = lazy(() => import("./pages/Recovery").then((m) => ({ default: m.VerifyEmail })));
const Admin = lazy(() => import("./pages/Admin").then((m) => ({ default: m.Admin })));
const AuthCallback = lazy(() => import("./pages/AuthCallback").then((m) => ({ default: m.AuthCallback })));

function RequireSession({ children }: { children: ReactNode }) {
  const s = useSession();
  if (!s.ready) return <Loading />;
  if (!s.userId) return <Navigate to="/signin" replace />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Home /> },
      { path: "browse", element: <Browse /> },
      { path: "media/:id", element: <MediaPage /> },
      { path: "authors/:id", element: <Author /> },
      { path: "categories/:id", element: <Category /> },
      { path: "tags/:tag", element: <Tag /> },
      { path: "trending", element: <Suspense fallback={<Loading />}><Trending /></Suspense> },
      { path: "search", element: <Suspense fallback={<Loading />}><Search /></Suspense> },
      { path: "collections", element: <RequireSession><Collections /></RequireSession> },
      { path: "collections/:id", element: <Suspense fallback={<Loading />}><CollectionPage /></Suspense> },
      { path: "signin", element: <SignIn /> },
      { path: "signup", element: <SignUp /> },
      { path: "auth/callback", element: <Suspense fallback={<Loading />}><AuthCallback /></Suspense> },
      { path: "forgot-password", element: <Suspense fallback={<Loading />}><ForgotPassword /></Suspense> },
      { path: "reset-password", element: <Suspense fallback={<Loading />}><ResetPassword /></Suspense> },
      { path: "verify-email", element: <Suspense fallback={<Loading />}><VerifyEmail /></Suspense> },
      { path: "account", element: <RequireSession><Account /></RequireSession> },
      { path: "studio", element: <RequireSession><Studio /></RequireSession> },
      { path: "studio/authors/:id", element: <RequireSession><StudioAuthor /></RequireSession> },
      { path: "studio/media/:id", element: <RequireSession><StudioMedia /></RequireSession> },
      { path: "notifications", element: <RequireSession><Notifications /></RequireSession> },
      { path: "notifications/settings", element: <RequireSession><NotificationSettings /></RequireSession> },
      { path: "admin", element: <RequireSession><Admin /></RequireSession> },
      { path: "*", element: <NotFound /> },
    ],
  },
];

export function Providers({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const qc = client ?? new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: 1 } } });
  return (
    <QueryClientProvider client={qc}>
      <I18nProvider>
        <SessionProvider>{children}</SessionProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}

const router = createBrowserRouter(routes);

export function App() {
  return (
    <Providers>
      <RouterProvider router={router} />
    </Providers>
  );
}
