import { SelectionError } from './errors.js';

// A glob over "/"-separated replica paths, matched against the whole path:
//   *      any run of characters within one segment
//   ?      one character other than "/"
//   **     as a whole segment, any number of segments:
//          "**" everything, "a/**" everything below a, "**/x" x at any depth
// Every other character is literal (no [...] classes). A leading or trailing "/" is
// ignored. "*.jpg" matches only at the top, "**/*.jpg" anywhere.
export function globToRegExp(glob: string): RegExp {
  const trimmed = glob.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') throw new SelectionError(glob, 'an empty pattern matches nothing; use "**" for everything');
  const segments = trimmed.split('/');
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '') throw new SelectionError(glob, 'empty path segment ("//")');
    if (segment === '**') {
      if (!last) source += '(?:[^/]+/)*';
      else source += i === 0 ? '.*' : '.+';
      return;
    }
    source += segmentSource(segment) + (last ? '' : '/');
  });
  return new RegExp(`^${source}$`, 'u');
}

function segmentSource(segment: string): string {
  if (/^\*+$/.test(segment)) return '[^/]+';
  let out = '';
  for (const ch of segment) {
    if (ch === '*') {
      if (!out.endsWith('[^/]*')) out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

export function globMatches(glob: string, path: string): boolean {
  return globToRegExp(glob).test(path);
}
