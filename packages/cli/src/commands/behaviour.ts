import { existsSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { BUILTIN_BEHAVIOUR_TEXTS, BehaviourSyntaxError, META_DIR, REPLICA_ID_RE, checkBehaviourName, formatRules, parseRules } from '@syncline/core';
import {
  attachBehaviour,
  defineBehaviour,
  describeSpot,
  detachBehaviour,
  loadAskQueue,
  loadBehaviours,
  undefineBehaviour,
  type StoredAttachment,
} from '@syncline/engine';
import { resolveReplicaRoot } from '@syncline/replica';
import { openStore, type Store } from '@syncline/store';
import { EXIT_USER_ERROR } from '../exit-codes.js';
import { ExitWith, UserError } from '../user-error.js';

/** Commander collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The folders a command works on: those given, else the current directory when it is a
 * synced folder (holds .syncline). `what` names the option in the error.
 */
export async function folderRoots(dirs: readonly string[] | undefined, what = '--dir DIR'): Promise<string[]> {
  if (dirs && dirs.length > 0) {
    const roots: string[] = [];
    for (const d of dirs) {
      const root = await resolveReplicaRoot(d);
      if (!roots.includes(root)) roots.push(root);
    }
    return roots;
  }
  const cwd = process.cwd();
  if (existsSync(path.join(cwd, META_DIR))) return [await resolveReplicaRoot(cwd)];
  throw new UserError(`name the folder with ${what}: the current directory ${cwd} is not a synced folder (it has no ${META_DIR})`);
}

/** Opens a folder's store just long enough for `use` (the folder must not be in use by another syncline). */
export async function withStore<T>(root: string, use: (store: Store) => Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = await openStore(root);
  } catch (err) {
    // A running daemon holds its folders' stores: change their settings through its control API.
    if ((err as { code?: string }).code !== 'SYNCLINE_REPLICA_BUSY') throw err;
    const remote = await daemonStore(root);
    if (!remote) throw err;
    try {
      return await use(remote.store);
    } finally {
      remote.close();
    }
  }
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The settings of a folder held by the running daemon ($SYNCLINE_HOME or the default home), as a Store. */
async function daemonStore(root: string): Promise<{ store: Store; close(): void } | undefined> {
  const { ApiClient, readRuntime, resolveHome } = await import('@syncline/daemon');
  const home = resolveHome();
  if (!(await readRuntime(home))) return undefined;
  const client = await ApiClient.connect(home);
  let replicaId: string;
  try {
    replicaId = await client.call<string>('folder.replicaId', { path: root });
  } catch {
    client.close();
    return undefined;
  }
  const unsupported = () => {
    throw new UserError('this operation needs the folder itself; stop the daemon first');
  };
  const store = {
    replicaId,
    getMeta: async (key: string) => (await client.call<{ value: unknown }>('folder.meta.get', { path: root, key })).value ?? undefined,
    setMeta: async (key: string, value: unknown) => {
      await client.call('folder.meta.set', { path: root, key, value: value ?? null });
    },
  };
  return { store: new Proxy(store, { get: (t, k) => (k in t ? t[k as keyof typeof t] : unsupported) }) as unknown as Store, close: () => client.close() };
}

/** Runs `body`; a rules text that does not parse is shown with a caret under the offending token. */
async function showingSyntaxErrors(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof BehaviourSyntaxError)) throw err;
    process.stderr.write(`syncline: ${err.format()}\n`);
    throw new ExitWith(EXIT_USER_ERROR);
  }
}

interface ScopeOptions {
  dir?: string[];
  path?: string;
  peer?: string;
  folder?: string;
  json?: boolean;
}

interface ResolvedScope {
  roots: string[];
  path?: string;
  peer?: string;
  peerLabel?: string;
  /** Per root: the folder value stored there (a local folder is stored as its replica ID). */
  folderFor?: (root: string) => Promise<string>;
  folderLabel?: string;
  notes: string[];
}

/**
 * Turns --dir/--path/--peer/--folder into where to store and what to store.
 * --peer: a folder on this machine (stored as its replica ID) or a replica ID; any other
 * word is kept as given (a device ID, for the daemon). --folder: the folder's own directory
 * (the attachment then covers that folder) or a folder ID (the daemon's).
 */
async function resolveScope(opts: ScopeOptions): Promise<ResolvedScope> {
  const notes: string[] = [];
  let folderDir: string | undefined;
  let folderId: string | undefined;
  if (opts.folder !== undefined) {
    if (await isDirectory(opts.folder)) folderDir = await resolveReplicaRoot(opts.folder);
    else if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.folder)) {
      folderId = opts.folder;
      notes.push(`${opts.folder} is not a directory here: kept as a folder ID, it applies where the daemon syncs folder "${opts.folder}"`);
    } else throw new UserError(`--folder ${opts.folder}: no such directory, and not a folder ID`);
  }
  const roots = await folderRoots(opts.dir ?? (folderDir ? [folderDir] : undefined), '--dir DIR (or --folder DIR)');
  if (folderDir && (roots.length !== 1 || roots[0] !== folderDir)) {
    throw new UserError(`--folder ${opts.folder} names a folder, so the behaviour is stored in that folder: drop --dir, or give the same directory to both`);
  }

  const scope: ResolvedScope = { roots, notes };
  if (opts.path !== undefined) scope.path = relativePath(opts.path, roots);
  if (opts.peer !== undefined) Object.assign(scope, await resolvePeer(opts.peer, roots, notes));
  if (folderDir) {
    scope.folderFor = (root) => withStore(root, async (s) => s.replicaId);
    scope.folderLabel = folderDir;
  } else if (folderId) scope.folderFor = async () => folderId!;
  return scope;
}

async function isDirectory(p: string): Promise<boolean> {
  const st = await lstat(path.resolve(p)).catch(() => null);
  if (!st) return false;
  if (st.isDirectory()) return true;
  return st.isSymbolicLink() && (await resolveReplicaRoot(p).then(() => true, () => false));
}

async function resolvePeer(value: string, roots: readonly string[], notes: string[]): Promise<{ peer: string; peerLabel?: string }> {
  if (await isDirectory(value)) {
    const root = await resolveReplicaRoot(value);
    if (roots.includes(root)) throw new UserError(`--peer ${value} is the folder the behaviour is stored in; a folder is not its own peer`);
    return { peer: await withStore(root, async (s) => s.replicaId), peerLabel: root };
  }
  if (REPLICA_ID_RE.test(value)) return { peer: value };
  if (/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(value)) {
    notes.push(`${value} is neither a folder here nor a replica ID: kept as given (a device ID, for the daemon)`);
    return { peer: value };
  }
  throw new UserError(`--peer ${value}: no such directory, and not a replica ID (\`syncline behaviour list --dir DIR\` shows a folder's ID)`);
}

/** --path is relative to the folder's root; an absolute path must lie inside the (single) folder. */
function relativePath(p: string, roots: readonly string[]): string {
  let rel = p;
  if (path.isAbsolute(p)) {
    if (roots.length !== 1) throw new UserError('an absolute --path needs exactly one --dir; or give the path relative to the folders');
    rel = path.relative(roots[0]!, path.resolve(p));
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new UserError(`--path ${p} is not inside ${roots[0]}; to attach to the whole folder, leave out --path`);
    }
    rel = rel.split(path.sep).join('/');
  }
  return rel.replace(/^(\.\/)+/, '');
}

function print(json: boolean | undefined, data: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : text + '\n');
}

export function behaviourCommands(program: Command): void {
  const behaviour = program
    .command('behaviour')
    .description('rules that decide per path what a sync does when two folders differ (see docs/behaviours.md)');

  behaviour
    .command('define')
    .description('define (or redefine) a behaviour in the given folders, e.g. define careful "ask if different and remote_size_smaller; import if different"')
    .argument('<name>', 'the behaviour name: a letter or "_", then letters, digits, "_" or "-"')
    .argument('<rules>', 'the rules, separated by ";": COMMAND [if CONDITION and CONDITION …]')
    .option('--dir <dir>', 'a folder that stores the definition (repeatable; default: the current directory if it is a synced folder)', collect)
    .option('--json', 'print a machine-readable result')
    .action((name: string, rules: string, opts: { dir?: string[]; json?: boolean }) =>
      showingSyntaxErrors(async () => {
        // Parse before touching any folder, so a typo changes nothing anywhere.
        checkBehaviourName(name);
        const canonical = formatRules(parseRules(rules));
        const roots = await folderRoots(opts.dir);
        const results = [];
        for (const root of roots) {
          const { definition, replaced } = await withStore(root, (s) => defineBehaviour(s, name, rules));
          results.push({ dir: root, name: definition.name, rules: definition.rules, replaced: replaced?.rules ?? null });
        }
        print(
          opts.json,
          { defined: results },
          results.map((r) => `${r.replaced === null ? 'defined' : 'redefined'} ${name} in ${r.dir}: ${canonical}`).join('\n'),
        );
      }),
    );

  behaviour
    .command('undefine')
    .description('remove a behaviour definition from the given folders (refused while it is attached)')
    .argument('<name>', 'the behaviour name')
    .option('--dir <dir>', 'a folder that stores the definition (repeatable; default: the current directory)', collect)
    .action(async (name: string, opts: { dir?: string[] }) => {
      const roots = await folderRoots(opts.dir);
      for (const root of roots) {
        const removed = await withStore(root, (s) => undefineBehaviour(s, name));
        process.stdout.write(removed ? `removed ${name} from ${root}\n` : `${name} was not defined in ${root}\n`);
      }
    });

  const scoped = (c: Command) =>
    c
      .option('--dir <dir>', 'the folder that stores the attachment (repeatable; default: the --folder directory, else the current directory)', collect)
      .option('--path <path>', 'a file, or a directory and everything below it (relative to the folder root)')
      .option('--peer <peer>', 'only when syncing with this peer: its folder on this machine, or its replica ID')
      .option('--folder <folder>', 'the folder itself (its directory), or a folder ID the daemon syncs')
      .option('--json', 'print a machine-readable result');

  scoped(
    behaviour
      .command('attach')
      .description(
        'attach a behaviour to a file or directory (--path), a peer (--peer), or the folder; for each path the most specific attachment whose rules decide wins: file > directory > peer > folder > default',
      )
      .argument('<name>', 'a behaviour defined in the folder, or a built-in (syncline behaviour list)'),
  ).action(async (name: string, opts: ScopeOptions) => {
    const scope = await resolveScope(opts);
    const results = [];
    for (const root of scope.roots) {
      const attachment: StoredAttachment = {
        behaviour: name,
        ...(scope.path !== undefined ? { path: scope.path } : {}),
        ...(scope.peer !== undefined ? { peer: scope.peer } : {}),
        ...(scope.peerLabel !== undefined ? { peerLabel: scope.peerLabel } : {}),
        ...(scope.folderFor ? { folder: await scope.folderFor(root) } : {}),
        ...(scope.folderLabel !== undefined ? { folderLabel: scope.folderLabel } : {}),
      };
      const { attachment: stored, replaced } = await withStore(root, (s) => attachBehaviour(s, attachment));
      results.push({ dir: root, attachment: stored, replaced: replaced?.behaviour ?? null });
    }
    for (const note of scope.notes) process.stderr.write(`syncline: note: ${note}\n`);
    print(
      opts.json,
      { attached: results },
      results
        .map((r) => `attached ${name} in ${r.dir} to ${describeSpot(r.attachment)}${r.replaced && r.replaced !== name ? ` (replaces ${r.replaced})` : ''}`)
        .join('\n'),
    );
  });

  scoped(
    behaviour
      .command('detach')
      .description('remove the attachment at one place (the same --path/--peer/--folder it was attached with)')
      .argument('[name]', 'only if this behaviour is the one attached there'),
  ).action(async (name: string | undefined, opts: ScopeOptions) => {
    const scope = await resolveScope(opts);
    const results = [];
    for (const root of scope.roots) {
      const spot = {
        ...(name !== undefined ? { behaviour: name } : {}),
        ...(scope.path !== undefined ? { path: scope.path } : {}),
        ...(scope.peer !== undefined ? { peer: scope.peer } : {}),
        ...(scope.folderFor ? { folder: await scope.folderFor(root) } : {}),
      };
      const removed = await withStore(root, (s) => detachBehaviour(s, spot));
      results.push({ dir: root, detached: removed });
    }
    print(opts.json, { detached: results }, results.map((r) => `detached ${r.detached.behaviour} in ${r.dir} from ${describeSpot(r.detached)}`).join('\n'));
  });

  behaviour
    .command('list')
    .description('show the built-in behaviours and, per folder, the defined ones and the attachments')
    .option('--dir <dir>', 'a folder to show (repeatable; default: the current directory if it is a synced folder)', collect)
    .option('--json', 'print machine-readable output')
    .action(async (opts: { dir?: string[]; json?: boolean }) => {
      const roots = opts.dir?.length || existsSync(path.join(process.cwd(), META_DIR)) ? await folderRoots(opts.dir) : [];
      const builtins = Object.entries(BUILTIN_BEHAVIOUR_TEXTS).map(([name, text]) => ({ name, rules: text.slice(name.length + 1) }));
      const folders = [];
      for (const root of roots) {
        folders.push(
          await withStore(root, async (s) => {
            const { definitions, attachments } = await loadBehaviours(s);
            const waiting = (await loadAskQueue(s)).filter((q) => !q.decision).length;
            return { dir: root, replica: s.replicaId, definitions, attachments, waiting };
          }),
        );
      }
      if (opts.json) {
        print(true, { builtins, folders }, '');
        return;
      }
      const width = Math.max(...builtins.map((b) => b.name.length), ...folders.flatMap((f) => f.definitions.map((d) => d.name.length)));
      const lines = ['built-in behaviours:', ...builtins.map((b) => `  ${b.name.padEnd(width)}  ${b.rules}`)];
      for (const f of folders) {
        lines.push('', `${f.dir} (replica ${f.replica}):`);
        lines.push(f.definitions.length === 0 ? '  no behaviours defined' : '  defined:');
        for (const d of f.definitions) lines.push(`    ${d.name.padEnd(width)}  ${d.rules}`);
        lines.push(f.attachments.length === 0 ? '  nothing attached (the default rules apply)' : '  attached:');
        for (const a of f.attachments) lines.push(`    ${a.behaviour} to ${describeSpot(a)}`);
        if (f.waiting > 0) lines.push(`  ${f.waiting} path${f.waiting === 1 ? '' : 's'} waiting for you (syncline conflicts ${f.dir})`);
      }
      print(false, null, lines.join('\n'));
    });
}
