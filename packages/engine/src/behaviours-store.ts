import {
  BehaviourSyntaxError,
  SynclineError,
  checkAttachment,
  checkBehaviourName,
  formatRules,
  isBuiltinBehaviour,
  lookupBehaviour,
  parseRules,
  type Attachment,
  type Behaviour,
  type BehaviourDefinitions,
} from '@syncline/core';
import type { Store } from '@syncline/store';
import { BehaviourInUseError, BuiltinBehaviourNameError, NotAttachedError, StoredSettingError } from './behaviours-errors.js';

/*
 * A replica's behaviours live in its own store (meta keys below), so they travel with the
 * folder and every session that replica takes part in honours them: `syncline sync`,
 * `compare` and the daemon alike. Definitions are kept as text (the canonical rules) and
 * parsed when read; both keys are schema-checked on every read.
 */
export const DEFINITIONS_KEY = 'behaviours';
export const ATTACHMENTS_KEY = 'attachments';

const MAX_DEFINITIONS = 1000;
const MAX_ATTACHMENTS = 10_000;
const MAX_RULES_TEXT = 64 * 1024;
const MAX_ID = 256;

export interface BehaviourDefinition {
  readonly name: string;
  /** The rules in canonical form (formatRules): what `define NAME RULES` takes. */
  readonly rules: string;
}

export interface StoredAttachment extends Attachment {
  /** The directory the user named for --peer, kept only for display; matching uses `peer`. */
  readonly peerLabel?: string;
  /** The same for --folder. */
  readonly folderLabel?: string;
}

export interface ReplicaBehaviours {
  readonly definitions: readonly BehaviourDefinition[];
  readonly attachments: readonly StoredAttachment[];
}

type MetaReader = Pick<Store, 'getMeta'>;
type MetaStore = Pick<Store, 'getMeta' | 'setMeta'>;

export async function loadBehaviours(store: MetaReader): Promise<ReplicaBehaviours> {
  const [definitions, attachments] = await Promise.all([store.getMeta(DEFINITIONS_KEY), store.getMeta(ATTACHMENTS_KEY)]);
  return { definitions: parseDefinitions(definitions), attachments: parseAttachments(attachments) };
}

/** The definitions as core wants them (built-ins answer for names not defined here). */
export function definitionsMap(definitions: readonly BehaviourDefinition[]): BehaviourDefinitions {
  return new Map(definitions.map((d) => [d.name, { name: d.name, rules: parseRules(d.rules) } satisfies Behaviour]));
}

/**
 * Defines (or redefines) a behaviour in this replica. Throws BehaviourSyntaxError for rules
 * that do not parse; the stored text is the canonical form.
 */
export async function defineBehaviour(
  store: MetaStore,
  name: string,
  rulesText: string,
): Promise<{ definition: BehaviourDefinition; replaced: BehaviourDefinition | undefined }> {
  checkBehaviourName(name);
  if (isBuiltinBehaviour(name)) throw new BuiltinBehaviourNameError(name);
  const definition = { name, rules: formatRules(parseRules(rulesText)) };
  const current = await loadBehaviours(store);
  const replaced = current.definitions.find((d) => d.name === name);
  const definitions = [...current.definitions.filter((d) => d.name !== name), definition].sort((a, b) => (a.name < b.name ? -1 : 1));
  await store.setMeta(DEFINITIONS_KEY, definitions);
  return { definition, replaced };
}

/** Removes a user definition; refused while an attachment names it. Returns false when it was not defined. */
export async function undefineBehaviour(store: MetaStore, name: string): Promise<boolean> {
  const current = await loadBehaviours(store);
  if (!current.definitions.some((d) => d.name === name)) return false;
  const users = current.attachments.filter((a) => a.behaviour === name).length;
  if (users > 0) throw new BehaviourInUseError(name, users);
  await store.setMeta(DEFINITIONS_KEY, current.definitions.filter((d) => d.name !== name));
  return true;
}

/** True when two attachments sit at the same place (path, peer, folder), whatever behaviour they name. */
export function sameSpot(a: Attachment, b: Attachment): boolean {
  return a.path === b.path && a.peer === b.peer && a.folder === b.folder;
}

/**
 * Attaches a behaviour (defined here or built in). One behaviour per place: attaching
 * another at the same path/peer/folder replaces it (returned as `replaced`).
 */
export async function attachBehaviour(
  store: MetaStore,
  attachment: StoredAttachment,
): Promise<{ attachment: StoredAttachment; replaced: StoredAttachment | undefined }> {
  const checked = { ...attachment, ...checkAttachment(attachment) };
  const current = await loadBehaviours(store);
  lookupBehaviour(definitionsMap(current.definitions), checked.behaviour);
  const replaced = current.attachments.find((a) => sameSpot(a, checked));
  const attachments = [...current.attachments.filter((a) => !sameSpot(a, checked)), compact(checked)];
  await store.setMeta(ATTACHMENTS_KEY, attachments);
  return { attachment: checked, replaced };
}

/** A place attachments sit at, optionally with the behaviour expected there. */
export interface AttachmentSpot {
  readonly behaviour?: string;
  readonly path?: string;
  readonly peer?: string;
  readonly folder?: string;
}

/**
 * Removes the attachment at one place; with `behaviour` given, only if it names that
 * behaviour. Throws NotAttachedError when nothing matches.
 */
export async function detachBehaviour(store: MetaStore, spot: AttachmentSpot): Promise<StoredAttachment> {
  const checked = checkAttachment({ ...spot, behaviour: spot.behaviour ?? '?' });
  const current = await loadBehaviours(store);
  const found = current.attachments.find((a) => sameSpot(a, checked) && (spot.behaviour === undefined || a.behaviour === spot.behaviour));
  if (!found) throw new NotAttachedError(describeSpot(checked));
  await store.setMeta(ATTACHMENTS_KEY, current.attachments.filter((a) => a !== found));
  return found;
}

/** `docs for peer X in folder F`, `folder F`, `the whole folder`: words for messages and listings. */
export function describeSpot(a: AttachmentSpot & { readonly peerLabel?: string; readonly folderLabel?: string }): string {
  const folder = a.folder === undefined ? undefined : `folder ${a.folderLabel ?? a.folder}`;
  const parts: string[] = [a.path ?? folder ?? 'the whole folder'];
  if (a.peer !== undefined) parts.push(`for peer ${a.peerLabel ? `${a.peerLabel} (${a.peer})` : a.peer}`);
  if (a.path !== undefined && folder) parts.push(`in ${folder}`);
  return parts.join(' ');
}

function compact(a: StoredAttachment): StoredAttachment {
  const out: Record<string, string> = { behaviour: a.behaviour };
  for (const key of ['path', 'peer', 'folder', 'peerLabel', 'folderLabel'] as const) {
    const v = a[key];
    if (v !== undefined) out[key] = v;
  }
  return out as unknown as StoredAttachment;
}

function parseDefinitions(value: unknown): BehaviourDefinition[] {
  if (value === undefined) return [];
  const fail = (reason: string): never => {
    throw new StoredSettingError(DEFINITIONS_KEY, reason);
  };
  if (!Array.isArray(value) || value.length > MAX_DEFINITIONS) fail('not a list of definitions');
  const seen = new Set<string>();
  return (value as unknown[]).map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) fail(`entry ${i + 1} is not an object`);
    const { name, rules } = raw as Record<string, unknown>;
    if (typeof name !== 'string' || typeof rules !== 'string' || rules.length > MAX_RULES_TEXT) fail(`entry ${i + 1} lacks a name or rules`);
    try {
      checkBehaviourName(name as string);
      parseRules(rules as string);
    } catch (err) {
      if (err instanceof BehaviourSyntaxError) fail(`definition ${JSON.stringify(name)}: ${err.message}`);
      throw err;
    }
    if (seen.has(name as string)) fail(`${JSON.stringify(name)} is defined twice`);
    seen.add(name as string);
    return { name: name as string, rules: rules as string };
  });
}

function parseAttachments(value: unknown): StoredAttachment[] {
  if (value === undefined) return [];
  const fail = (reason: string): never => {
    throw new StoredSettingError(ATTACHMENTS_KEY, reason);
  };
  if (!Array.isArray(value) || value.length > MAX_ATTACHMENTS) fail('not a list of attachments');
  return (value as unknown[]).map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) fail(`entry ${i + 1} is not an object`);
    const r = raw as Record<string, unknown>;
    const out: Record<string, string> = {};
    if (typeof r.behaviour !== 'string') fail(`entry ${i + 1} names no behaviour`);
    out.behaviour = r.behaviour as string;
    for (const key of ['path', 'peer', 'folder', 'peerLabel', 'folderLabel'] as const) {
      const v = r[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || v.length > (key === 'path' ? 4096 : MAX_ID)) fail(`entry ${i + 1} has a bad ${key}`);
      out[key] = v as string;
    }
    try {
      return { ...out, ...checkAttachment(out as unknown as Attachment) } as StoredAttachment;
    } catch (err) {
      if (err instanceof SynclineError) fail(`entry ${i + 1}: ${err.message}`);
      throw err;
    }
  });
}
