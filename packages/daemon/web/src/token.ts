/**
 * The control-API token reaches the page in the URL fragment (`/#token=…`), which the browser
 * never sends to a server. It is kept in this tab's sessionStorage so a reload still works, and
 * removed from the address bar at once.
 */
const STORAGE_KEY = 'syncline.api-token';
const TOKEN_RE = /^[0-9a-f]{64}$/i;

export function isWellFormedToken(token: string): boolean {
  return TOKEN_RE.test(token.trim());
}

export function takeToken(loc: Location = location, hist: History = history, storage: Storage = sessionStorage): string | undefined {
  const fromUrl = new URLSearchParams(loc.hash.slice(1)).get('token');
  if (fromUrl !== null) {
    hist.replaceState(null, '', loc.pathname + loc.search);
    if (fromUrl.trim() !== '') {
      storage.setItem(STORAGE_KEY, fromUrl.trim());
      return fromUrl.trim();
    }
  }
  return storage.getItem(STORAGE_KEY) ?? undefined;
}

export function rememberToken(token: string, storage: Storage = sessionStorage): void {
  storage.setItem(STORAGE_KEY, token.trim());
}

export function forgetToken(storage: Storage = sessionStorage): void {
  storage.removeItem(STORAGE_KEY);
}
