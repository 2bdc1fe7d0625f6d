// WebAuthn helpers: the API sends PublicKeyCredential*Options as JSON
// (binary fields base64url) as `{ceremony, options: {publicKey}}`; a bare
// `{publicKey}` or the options themselves are accepted too. The browser wants
// ArrayBuffers, and the answer goes back as JSON again.

export function b64urlToBuf(s: string): ArrayBuffer {
  const b64 = (s + "=".repeat((4 - (s.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out.buffer;
}

export function bufToB64url(b: ArrayBuffer | ArrayBufferView): string {
  const bytes = b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  let s = "";
  for (const x of bytes) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

type JSONOpts = Record<string, unknown> & { publicKey?: Record<string, unknown>; options?: JSONOpts };
type Cred = { id: string; type?: string; transports?: string[] };

/** publicKeyOf finds the publicKey options in what the API answered. */
function publicKeyOf(o: JSONOpts): Record<string, unknown> {
  const inner = o.options && typeof o.options === "object" ? o.options : o;
  return { ...(inner.publicKey ?? inner) } as Record<string, unknown>;
}

/** creationOptions decodes registration options from the API. */
export function creationOptions(o: JSONOpts): CredentialCreationOptions {
  const pk = publicKeyOf(o);
  const user = pk.user as Record<string, unknown>;
  return {
    publicKey: {
      ...(pk as object),
      challenge: b64urlToBuf(pk.challenge as string),
      user: { ...(user as object), id: b64urlToBuf(user.id as string) } as PublicKeyCredentialUserEntity,
      excludeCredentials: ((pk.excludeCredentials as Cred[]) ?? []).map((c) => ({ ...c, type: "public-key", id: b64urlToBuf(c.id) })) as PublicKeyCredentialDescriptor[],
    } as PublicKeyCredentialCreationOptions,
  };
}

/** requestOptions decodes sign-in options from the API. */
export function requestOptions(o: JSONOpts): CredentialRequestOptions {
  const pk = publicKeyOf(o);
  return {
    publicKey: {
      ...(pk as object),
      challenge: b64urlToBuf(pk.challenge as string),
      allowCredentials: ((pk.allowCredentials as Cred[]) ?? []).map((c) => ({ ...c, type: "public-key", id: b64urlToBuf(c.id) })) as PublicKeyCredentialDescriptor[],
    } as PublicKeyCredentialRequestOptions,
  };
}

/** credentialJSON encodes the authenticator's answer for the API. */
export function credentialJSON(c: PublicKeyCredential): Record<string, unknown> {
  const r = c.response as AuthenticatorAttestationResponse & AuthenticatorAssertionResponse;
  const response: Record<string, string> = { clientDataJSON: bufToB64url(r.clientDataJSON) };
  if ("attestationObject" in r && r.attestationObject) response.attestationObject = bufToB64url(r.attestationObject);
  if ("authenticatorData" in r && r.authenticatorData) response.authenticatorData = bufToB64url(r.authenticatorData);
  if ("signature" in r && r.signature) response.signature = bufToB64url(r.signature);
  if ("userHandle" in r && r.userHandle) response.userHandle = bufToB64url(r.userHandle);
  return { id: c.id, rawId: bufToB64url(c.rawId), type: c.type, response, clientExtensionResults: c.getClientExtensionResults?.() ?? {} };
}

export const passkeysSupported = () => typeof window !== "undefined" && "PublicKeyCredential" in window && !!navigator.credentials;

/** assertion asks the device for a passkey answer to a sign-in ceremony
 * (`POST /v1/auth/passkey/options`): `{ceremony, credential}`, as
 * `POST /v1/auth/passkey` and a password sign-in's second factor take it.
 * Null when the person cancelled. */
export async function assertion(opts: JSONOpts): Promise<{ ceremony?: string; credential: Record<string, unknown> } | null> {
  const cred = (await navigator.credentials.get(requestOptions(opts))) as PublicKeyCredential | null;
  if (!cred) return null;
  const ceremony = typeof opts.ceremony === "string" ? opts.ceremony : undefined;
  return { ceremony, credential: credentialJSON(cred) };
}
