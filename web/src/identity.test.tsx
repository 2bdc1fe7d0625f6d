// Component tests of the identity screens added for issue 18: a passkey as
// the second factor of a password sign-in, and linking and unlinking OIDC
// providers on the account page. Mocked fetch and WebAuthn.
import { QueryClient } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { secondFactors, signOut, ApiError } from "./api";
import { Providers, routes } from "./App";
import { creationOptions, requestOptions } from "./webauthn";

function json(body: unknown, status = 200) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
const notFound = () => json({ status: 404, title: "Not Found" }, 404);
const token = ["e30", btoa(JSON.stringify({ sub: "u1", roles: ["reader"], exp: 9999999999 })), "sig"].join(".");

type Handler = (url: string, init: RequestInit) => Response | undefined | Promise<Response | undefined>;
let handler: Handler;
let fetchMock: ReturnType<typeof vi.fn>;
const calls = (pred: (url: string, method: string) => boolean) =>
  fetchMock.mock.calls.filter(([u, i]) => pred(String(u), (i?.method ?? "GET") as string)).map(([u, i]) => ({ url: String(u), init: i as RequestInit }));

const bytes = (...b: number[]) => new Uint8Array(b).buffer;
const fakeAssertion = {
  id: "a2V5",
  rawId: bytes(107, 101, 121),
  type: "public-key",
  response: { clientDataJSON: bytes(1), authenticatorData: bytes(2), signature: bytes(3), userHandle: bytes(4) },
  getClientExtensionResults: () => ({}),
};
let credentialsGet: ReturnType<typeof vi.fn>;

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem("alexandria.locale", "en");
  handler = () => undefined;
  fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const answer = await handler(url, init);
    if (answer) return answer;
    if (url === "/v1/auth/session/refresh") return document.cookie.includes("alx_csrf") ? json({ access_token: token, expires_in: 900 }) : json({ status: 401 }, 401);
    if (url.startsWith("/v1/media?")) return json({ items: [] });
    return notFound();
  });
  vi.stubGlobal("fetch", fetchMock);
  vi.stubGlobal("PublicKeyCredential", class {});
  credentialsGet = vi.fn(async () => fakeAssertion);
  Object.defineProperty(navigator, "credentials", { value: { get: credentialsGet, create: vi.fn() }, configurable: true });
});
afterEach(async () => {
  await signOut();
  document.cookie = "alx_csrf=; max-age=0";
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, "credentials");
});

function renderAt(path: string, { signedIn = false } = {}) {
  if (signedIn) document.cookie = "alx_csrf=c1";
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return router;
}

const needs = (...fields: string[]) =>
  json({ status: 401, title: "Unauthorized", errors: fields.map((f) => ({ field: f, location: `body.${f}`, message: "is required" })) }, 401);

describe("webauthn options", () => {
  it("reads_the_ceremony_wrapper_the_api_answers", () => {
    const get = requestOptions({ ceremony: "c1", options: { publicKey: { challenge: "AQID", rpId: "example.org", allowCredentials: [{ id: "BAU", type: "public-key" }] } } });
    expect(new Uint8Array(get.publicKey!.challenge as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(get.publicKey!.rpId).toBe("example.org");
    expect(new Uint8Array(get.publicKey!.allowCredentials![0].id as ArrayBuffer)).toEqual(new Uint8Array([4, 5]));
    const create = creationOptions({ ceremony: "c2", options: { publicKey: { challenge: "AQID", rp: { name: "A" }, user: { id: "BwgJ", name: "ada" }, pubKeyCredParams: [] } } });
    expect(new Uint8Array(create.publicKey!.user.id as ArrayBuffer)).toEqual(new Uint8Array([7, 8, 9]));
    // The bare forms still work.
    expect(new Uint8Array(requestOptions({ publicKey: { challenge: "AQID" } }).publicKey!.challenge as ArrayBuffer)).toHaveLength(3);
    expect(new Uint8Array(requestOptions({ challenge: "AQID" }).publicKey!.challenge as ArrayBuffer)).toHaveLength(3);
  });
  it("lists_the_ways_a_sign_in_may_give_its_second_factor", () => {
    const err = (fields: string[]) => new ApiError({ status: 401, title: "Unauthorized", errors: fields.map((f) => ({ location: `body.${f}`, message: "" })) });
    expect(secondFactors(err(["otp", "passkey"]))).toEqual(["otp", "passkey"]);
    expect(secondFactors(err(["otp"]))).toEqual(["otp"]);
    expect(secondFactors(err(["password"]))).toEqual([]);
    expect(secondFactors(new Error("x"))).toEqual([]);
  });
});

describe("sign-in with a passkey as the second factor", () => {
  it("offers_the_passkey_when_the_server_names_it_and_sends_its_answer", async () => {
    handler = (url, init) => {
      if (url === "/v1/auth/session" && init.method === "POST") {
        const b = JSON.parse(String(init.body));
        if (b.passkey?.ceremony === "c1" && b.passkey.credential?.id === "a2V5") return json({ access_token: token, expires_in: 900 });
        return needs("otp", "passkey");
      }
      if (url === "/v1/auth/passkey/options" && init.method === "POST")
        return json({ ceremony: "c1", options: { publicKey: { challenge: "AQID", rpId: "localhost", allowCredentials: [] } } });
      return undefined;
    };
    const user = userEvent.setup();
    const router = renderAt("/signin");
    await user.type(await screen.findByLabelText("E-mail", {}, { timeout: 5000 }), "ada@example.org");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    // The code field stays; the passkey is offered beside it.
    await screen.findByLabelText("Code from your authenticator app, or a recovery code");
    await user.click(screen.getByRole("button", { name: "Use a passkey instead" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(credentialsGet).toHaveBeenCalledTimes(1);
    const asked = credentialsGet.mock.calls[0][0] as CredentialRequestOptions;
    expect(new Uint8Array(asked.publicKey!.challenge as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    const sent = calls((u, m) => u === "/v1/auth/session" && m === "POST").map((c) => JSON.parse(String(c.init.body)));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ email: "ada@example.org", password: "correct horse battery", passkey: { ceremony: "c1", credential: { id: "a2V5", type: "public-key" } } });
    expect(sent[1].otp).toBeUndefined();
    expect(sent[1].passkey.credential.response).toEqual({ clientDataJSON: "AQ", authenticatorData: "Ag", signature: "Aw", userHandle: "BA" });
  }, 30_000);

  it("says_so_when_no_passkey_is_chosen", async () => {
    credentialsGet.mockRejectedValueOnce(new DOMException("cancelled", "NotAllowedError"));
    handler = (url, init) => {
      if (url === "/v1/auth/session" && init.method === "POST") return needs("otp", "passkey");
      if (url === "/v1/auth/passkey/options") return json({ ceremony: "c1", options: { publicKey: { challenge: "AQID" } } });
      return undefined;
    };
    const user = userEvent.setup();
    const router = renderAt("/signin");
    await user.type(await screen.findByLabelText("E-mail", {}, { timeout: 5000 }), "ada@example.org");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await user.click(await screen.findByRole("button", { name: "Use a passkey instead" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("No passkey was chosen.");
    expect(router.state.location.pathname).toBe("/signin");
    expect(calls((u, m) => u === "/v1/auth/session" && m === "POST")).toHaveLength(1);
  }, 30_000);

  it("offers_no_passkey_when_the_account_has_none", async () => {
    handler = (url, init) => (url === "/v1/auth/session" && init.method === "POST" ? needs("otp") : undefined);
    const user = userEvent.setup();
    renderAt("/signin");
    await user.type(await screen.findByLabelText("E-mail", {}, { timeout: 5000 }), "ada@example.org");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByLabelText("Code from your authenticator app, or a recovery code");
    expect(screen.queryByRole("button", { name: "Use a passkey instead" })).toBeNull();
  }, 30_000);
});

describe("account: sign-in providers", () => {
  const me = { id: "u1", email: "ada@example.org", display_name: "Ada", roles: ["reader"], suspended: false, created_at: "2026-01-01T00:00:00Z", version: 1 };
  it("lists_links_and_unlinks_providers", async () => {
    let linked = [{ provider: "keycloak", email: "ada@corp.example", created_at: "2026-01-02T00:00:00Z" }];
    const assign = vi.fn();
    vi.stubGlobal("location", { ...window.location, assign });
    handler = (url, init) => {
      if (url === "/v1/users/me") return json(me);
      if (url === "/v1/auth/oidc/providers") return json({ items: [{ id: "keycloak", name: "Keycloak" }, { id: "gitlab", name: "GitLab" }] });
      if (url === "/v1/users/me/oidc-identities") return json({ items: linked });
      if (url === "/v1/users/me/oidc-identities/keycloak" && init.method === "DELETE") {
        linked = [];
        return new Response(null, { status: 204 });
      }
      if (url === "/v1/auth/oidc/gitlab/start?link=true") return json({ url: "https://gitlab.example/oauth/authorize?state=s1" });
      return undefined;
    };
    const user = userEvent.setup();
    renderAt("/account", { signedIn: true });
    await screen.findByRole("heading", { name: "Sign-in providers" }, { timeout: 5000 });
    expect(screen.getByText("Keycloak")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Link Keycloak" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Link GitLab" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://gitlab.example/oauth/authorize?state=s1"));
    // The start was asked with the access token (a navigation could not carry it).
    const start = calls((u) => u.startsWith("/v1/auth/oidc/gitlab/start"))[0];
    expect(new Headers(start.init.headers).get("Authorization")).toMatch(/^Bearer /);
    await user.click(screen.getByRole("button", { name: "Unlink Keycloak" }));
    expect(await screen.findByText("No provider is linked to this account.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Link Keycloak" })).toBeInTheDocument();
  }, 30_000);
  it("says_when_linking_is_not_offered", async () => {
    handler = (url) => {
      if (url === "/v1/users/me") return json(me);
      if (url === "/v1/auth/oidc/providers") return json({ items: [{ id: "gitlab", name: "GitLab" }] });
      if (url === "/v1/users/me/oidc-identities") return json({ items: [] });
      return undefined; // the start answers 404
    };
    const user = userEvent.setup();
    renderAt("/account", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Link GitLab" }, { timeout: 5000 }));
    expect(await screen.findByText("Linking a provider is not available on this server.")).toBeInTheDocument();
  });
  it("is_hidden_without_providers_or_without_the_list_of_links", async () => {
    handler = (url) => {
      if (url === "/v1/users/me") return json(me);
      if (url === "/v1/auth/oidc/providers") return json({ items: [{ id: "gitlab", name: "GitLab" }] });
      return undefined; // no /v1/users/me/oidc-identities
    };
    renderAt("/account", { signedIn: true });
    await waitFor(() => expect(calls((u) => u === "/v1/users/me/oidc-identities").length).toBe(1), { timeout: 5000 });
    expect(screen.queryByRole("heading", { name: "Sign-in providers" })).toBeNull();
  });
});
