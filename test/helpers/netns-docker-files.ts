/**
 * Reading docker/Dockerfile and docker/compose.yml the way Docker does, closely enough for the
 * tests: the static checks (test/docker-files.test.ts) and the network-namespace hosts
 * (test/netns-cluster.test.ts), which give each host the environment a container would get.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

export const DOCKER_DIR = path.join(REPO_ROOT, 'docker');
export const DOCKERFILE = path.join(DOCKER_DIR, 'Dockerfile');
export const COMPOSE_FILE = path.join(DOCKER_DIR, 'compose.yml');
export const ENTRYPOINT = path.join(DOCKER_DIR, 'entrypoint.sh');

// ------------------------------------------------------------------ Dockerfile ----

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, ENV… */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

const KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** Splits a Dockerfile into instructions: comments dropped, `\` continuations joined, keywords checked. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!;
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i;
    let joined = first;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      joined = joined.replace(/\\\s*$/, ' ');
      i++;
      if (/^\s*#/.test(lines[i]!)) {
        joined += '\\'; // a comment inside a continuation is dropped; the continuation goes on
        continue;
      }
      joined += lines[i]!;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (!m || !KEYWORDS.has(m[1]!.toUpperCase())) throw new Error(`Dockerfile line ${start + 1}: not an instruction: ${first}`);
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ').trim(), line: start + 1 });
  }
  return out;
}

/** Groups instructions by build stage; `FROM ${ARG}` resolves global ARG defaults. */
export function dockerStages(instructions: Instruction[]): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [k, v] = ins.args.split('=', 2) as [string, string | undefined];
      globalArgs.set(k.trim(), (v ?? '').trim());
      continue;
    }
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(' ').filter((w) => !w.startsWith('--'));
      const from = words[0]!.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, k: string) => globalArgs.get(k) ?? '');
      const asAt = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ from, ...(asAt > 0 ? { name: words[asAt + 1]! } : {}), instructions: [] });
      continue;
    }
    if (stages.length === 0) throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before FROM`);
    stages.at(-1)!.instructions.push(ins);
  }
  return stages;
}

/** `ENV K=V K2="V 2"` (and the old `ENV K V`) of one stage, in order. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(ins.args)) {
      const [k, ...rest] = ins.args.split(' ');
      env[k!] = rest.join(' ');
      continue;
    }
    const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
    for (const m of ins.args.matchAll(re)) env[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return env;
}

/** The JSON (exec) form of CMD / ENTRYPOINT / HEALTHCHECK CMD; a shell form is refused. */
export function execForm(args: string, what: string): string[] {
  const json = args.replace(/^CMD\s+/i, '');
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new Error(`${what} must use the exec (JSON) form, not: ${args}`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${what} must be a JSON list of strings: ${args}`);
  return v as string[];
}

export async function readDockerfile(): Promise<{ instructions: Instruction[]; stages: Stage[]; final: Stage }> {
  const instructions = parseDockerfile(await readFile(DOCKERFILE, 'utf8'));
  const stages = dockerStages(instructions);
  return { instructions, stages, final: stages.at(-1)! };
}

// ----------------------------------------------------------------------- YAML ----

interface YamlLibrary {
  parse(text: string): unknown;
  name: string;
}

/**
 * The YAML parser: `yaml` (the one to depend on) when installed, else `js-yaml`, which is only
 * here as a dependency of mocha. Both resolve compose's `<<:` merge keys.
 */
export async function yamlLibrary(): Promise<YamlLibrary> {
  const load = (name: string) => import(name) as Promise<Record<string, unknown>>;
  try {
    const yaml = await load('yaml');
    const parse = (yaml.parse ?? (yaml.default as Record<string, unknown> | undefined)?.parse) as (t: string, o: object) => unknown;
    return { name: 'yaml', parse: (text) => parse(text, { merge: true, strict: true, uniqueKeys: true }) };
  } catch {
    const jsYaml = await load('js-yaml');
    const loadFn = (jsYaml.load ?? (jsYaml.default as Record<string, unknown> | undefined)?.load) as (t: string) => unknown;
    return { name: 'js-yaml', parse: (text) => loadFn(text) };
  }
}

// -------------------------------------------------------------------- compose ----

export interface ComposeService {
  readonly image?: string;
  readonly build?: { context?: string; dockerfile?: string } | string;
  readonly hostname?: string;
  readonly environment?: Record<string, string | number | boolean | null> | string[];
  readonly volumes?: (string | { type?: string; source?: string; target: string })[];
  readonly ports?: unknown[];
  readonly stop_grace_period?: string;
  readonly restart?: string;
  readonly [key: string]: unknown;
}

export interface ComposeFile {
  readonly name?: string;
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

export async function readCompose(): Promise<ComposeFile> {
  const lib = await yamlLibrary();
  const doc = lib.parse(await readFile(COMPOSE_FILE, 'utf8'));
  if (typeof doc !== 'object' || doc === null || typeof (doc as ComposeFile).services !== 'object') throw new Error(`${COMPOSE_FILE}: no services`);
  return doc as ComposeFile;
}

/**
 * Compose's variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.
 */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, dollar: string, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (dollar === '$') return '$';
    const name = (braced ?? bare)!;
    const v = vars[name];
    const unsetOrEmpty = v === undefined || (op?.startsWith(':') && v === '');
    switch (op) {
      case undefined:
        return v ?? '';
      case ':-':
      case '-':
        return unsetOrEmpty ? arg! : v!;
      case ':?':
      case '?':
        if (unsetOrEmpty) throw new Error(`compose: ${name} is required: ${arg}`);
        return v!;
      case ':+':
      case '+':
        return unsetOrEmpty ? '' : arg!;
      default:
        throw new Error(`compose: cannot interpolate ${whole}`);
    }
  });
}

/** A service's environment as a map, interpolated. */
export function serviceEnvironment(service: ComposeService, vars: Record<string, string | undefined>): Record<string, string> {
  const raw = service.environment ?? {};
  const entries: [string, string][] = Array.isArray(raw)
    ? raw.map((item) => {
        const eq = item.indexOf('=');
        return eq < 0 ? [item, vars[item] ?? ''] : [item.slice(0, eq), item.slice(eq + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? (vars[k] ?? '') : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, vars)]));
}

/** Container paths of a service's volumes (`name:/config` → '/config'). */
export function volumeTargets(service: ComposeService): string[] {
  return (service.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1]! : v.target));
}

/** KEY=VALUE lines (an .env file); comments and blank lines skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}
