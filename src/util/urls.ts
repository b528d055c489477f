// The host of a URL (or of a bare `host[:port]/path`): lower case, without user info or port;
// an IPv6 literal keeps its brackets.
export function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  if (!m) return url.split(/[/:?#]/)[0]!.toLowerCase();
  let h = m[1]!;
  const at = h.lastIndexOf('@');
  if (at >= 0) h = h.slice(at + 1);
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1).toLowerCase();
  return h.replace(/:.*$/, '').toLowerCase();
}
