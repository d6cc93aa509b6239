// The page's only way to the server: the public API with the pasted bearer token.
// The token lives in sessionStorage (gone when the tab closes), never in localStorage or a cookie.

const TOKEN_KEY = 'motcua.token';

export const getToken = () => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (tok) => sessionStorage.setItem(TOKEN_KEY, tok.trim());
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY);

/** The token's claims, for display only (the server verifies it; the page never trusts it). */
export function claims(tok = getToken()) {
  try {
    const part = tok.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='))
        .split('')
        .map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'))
        .join(''),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.body = body;
  }
}

/** Called on 401 (expired or revoked token): the app goes back to the login form. */
let onUnauthenticated = () => {};
export const setUnauthenticatedHandler = (fn) => (onUnauthenticated = fn);

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const tok = getToken();
  if (tok) headers.authorization = `Bearer ${tok}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (res.status === 401) onUnauthenticated();
  if (!res.ok) throw new ApiFailure(res.status, parsed);
  return parsed;
}

export const get = (path, query) => api('GET', path + qs(query));
export const post = (path, body) => api('POST', path, body ?? {});

export function qs(query) {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** List answers differ by endpoint (`items`, `rows`, `alerts` or a bare array): take whichever is there. */
export function listOf(body) {
  if (Array.isArray(body)) return body;
  for (const k of ['items', 'rows', 'alerts', 'dossiers', 'data']) if (Array.isArray(body?.[k])) return body[k];
  return [];
}

/** The figures shown for an agency: its roll-up (itself and everything under it) when the API gives one. */
export const figuresOf = (row) => (row ? (row.rollup ?? row) : null);
