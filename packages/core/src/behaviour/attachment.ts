import { InvalidPathError } from '../errors.js';
import { checkRelativePath, isAncestor, pathDepth } from '../paths.js';
import { BUILTIN_BEHAVIOURS } from './builtins.js';
import { InvalidAttachmentError, UnknownBehaviourError } from './errors.js';
import { evaluate, type Verdict } from './evaluate.js';
import type { Behaviour, Situation } from './model.js';

/**
 * Where a behaviour applies. `path` names a file, or a directory and everything below
 * it; `peer` and `folder` restrict it to a folder–peer pair or a folder. Every field
 * given must match; an attachment with none applies everywhere.
 */
export interface Attachment {
  readonly behaviour: string;
  readonly path?: string;
  readonly peer?: string;
  readonly folder?: string;
}

/** What a path is being decided for: the replica-relative path, the peer's device ID, the folder ID. */
export interface AttachmentTarget {
  readonly path: string;
  readonly peer: string;
  readonly folder: string;
}

/** How an attachment reached the path, most specific first. */
export type AttachmentScope = 'file' | 'directory' | 'folder-peer' | 'peer' | 'folder' | 'everywhere';

/** User definitions by name; built-ins answer for names not defined here. */
export type BehaviourDefinitions = ReadonlyMap<string, Behaviour>;

/** The command for one path, and which attachment, behaviour and rule gave it (what `compare` shows). */
export interface Decision extends Verdict {
  readonly behaviour: string;
  readonly attachment: Attachment;
  readonly scope: AttachmentScope;
}

export interface ApplicableAttachment {
  readonly attachment: Attachment;
  readonly scope: AttachmentScope;
}

/** Validates an attachment and normalises its path (`docs/` → `docs`). */
export function checkAttachment(attachment: Attachment): Attachment {
  if (attachment.behaviour === '') throw new InvalidAttachmentError('no behaviour named');
  for (const field of ['peer', 'folder'] as const) {
    if (attachment[field] === '') throw new InvalidAttachmentError(`empty ${field}`);
  }
  if (attachment.path === undefined) return attachment;
  const trimmed = attachment.path.replace(/\/+$/, '');
  try {
    return { ...attachment, path: checkRelativePath(trimmed) };
  } catch (e) {
    if (e instanceof InvalidPathError) {
      throw new InvalidAttachmentError(`${e.message}; to attach to the whole folder, use --folder`);
    }
    throw e;
  }
}

/** The named behaviour: a user definition first, then a built-in. */
export function lookupBehaviour(definitions: BehaviourDefinitions, name: string): Behaviour {
  const behaviour = definitions.get(name) ?? BUILTIN_BEHAVIOURS.get(name);
  if (!behaviour) throw new UnknownBehaviourError(name);
  return behaviour;
}

/**
 * The attachments that reach `target`, most specific first: the exact path, then
 * enclosing directories deepest first, then the folder–peer pair, the peer, the folder,
 * and attachments without any restriction. Among equals, one that also names the peer
 * or the folder comes first, then list order.
 */
export function applicableAttachments(
  attachments: readonly Attachment[],
  target: AttachmentTarget,
): ApplicableAttachment[] {
  const ranked: { attachment: Attachment; scope: AttachmentScope; key: number[] }[] = [];
  attachments.forEach((raw, index) => {
    const attachment = checkAttachment(raw);
    if (attachment.peer !== undefined && attachment.peer !== target.peer) return;
    if (attachment.folder !== undefined && attachment.folder !== target.folder) return;
    const qualifiers = (attachment.peer !== undefined ? 1 : 0) + (attachment.folder !== undefined ? 1 : 0);
    let scope: AttachmentScope;
    let depth = 0;
    if (attachment.path !== undefined) {
      if (attachment.path === target.path) scope = 'file';
      else if (isAncestor(attachment.path, target.path)) scope = 'directory';
      else return;
      depth = pathDepth(attachment.path);
    } else if (qualifiers === 2) scope = 'folder-peer';
    else if (attachment.peer !== undefined) scope = 'peer';
    else if (attachment.folder !== undefined) scope = 'folder';
    else scope = 'everywhere';
    ranked.push({ attachment, scope, key: [SCOPE_RANK[scope], depth, qualifiers, -index] });
  });
  ranked.sort((a, b) => compareKeysDescending(a.key, b.key));
  return ranked.map(({ attachment, scope }) => ({ attachment, scope }));
}

const SCOPE_RANK: Record<AttachmentScope, number> = {
  file: 5,
  directory: 4,
  'folder-peer': 3,
  peer: 2,
  folder: 1,
  everywhere: 0,
};

function compareKeysDescending(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (b[i] as number) - (a[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The command for one path: the most specific attachment whose behaviour has a rule
 * that holds. A behaviour with no matching rule defers to the more general ones;
 * undefined means none decides and the default plan applies. Throws
 * UnknownBehaviourError for an attachment naming an undefined behaviour.
 */
export function resolveCommand(
  attachments: readonly Attachment[],
  definitions: BehaviourDefinitions,
  target: AttachmentTarget,
  situation: Situation,
): Decision | undefined {
  for (const { attachment, scope } of applicableAttachments(attachments, target)) {
    const verdict = evaluate(lookupBehaviour(definitions, attachment.behaviour), situation);
    if (verdict) return { ...verdict, behaviour: attachment.behaviour, attachment, scope };
  }
  return undefined;
}
