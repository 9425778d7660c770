import assert from 'node:assert/strict';
import {
  InvalidAttachmentError,
  UnknownBehaviourError,
  applicableAttachments,
  parseBehaviour,
  resolveCommand,
  type Attachment,
  type Behaviour,
  type Situation,
} from '../src/behaviour/index.js';

const definitions = new Map<string, Behaviour>(
  [
    'on_file=export if different and remote_size_bigger',
    'on_deep_dir=delete if different and remote_fresher_yes',
    'on_dir=ignore if different and local_unchanged',
    'on_pair=ask if different',
    'on_peer=ignore_once if different',
    'on_folder=rename_both',
    'everywhere=import',
  ].map((text) => {
    const b = parseBehaviour(text);
    return [b.name, b];
  }),
);

// Listed least specific first, so list order cannot be what decides.
const attachments: Attachment[] = [
  { behaviour: 'everywhere' },
  { behaviour: 'on_folder', folder: 'photos' },
  { behaviour: 'on_peer', peer: 'P2' },
  { behaviour: 'on_pair', folder: 'photos', peer: 'P1' },
  { behaviour: 'on_dir', path: 'docs' },
  { behaviour: 'on_deep_dir', path: 'docs/a/' },
  { behaviour: 'on_file', path: 'docs/a/x.txt' },
];

// Every rule above holds here.
const all: Situation = { local: 'unchanged', remote: 'modified', remoteSize: 'bigger', remoteFresher: 'yes', content: 'different' };
const target = (path: string, peer = 'P1', folder = 'photos') => ({ path, peer, folder });
const decide = (path: string, s: Situation = all, peer?: string, folder?: string) =>
  resolveCommand(attachments, definitions, target(path, peer, folder), s);

describe('behaviour attachments and precedence', () => {
  it('orders candidates: file, deeper directory, shallower directory, folder–peer, peer, folder, everywhere', () => {
    const order = applicableAttachments(attachments, target('docs/a/x.txt', 'P1')).map((c) => `${c.attachment.behaviour}:${c.scope}`);
    assert.deepEqual(order, [
      'on_file:file',
      'on_deep_dir:directory',
      'on_dir:directory',
      'on_pair:folder-peer',
      'on_folder:folder',
      'everywhere:everywhere',
    ]);
    const forP2 = applicableAttachments(attachments, target('docs/a/x.txt', 'P2')).map((c) => c.attachment.behaviour);
    assert.deepEqual(forP2, ['on_file', 'on_deep_dir', 'on_dir', 'on_peer', 'on_folder', 'everywhere']);
  });

  it('lets the most specific attachment with a matching rule decide, and says which', () => {
    const d = decide('docs/a/x.txt');
    assert.equal(d?.command, 'export');
    assert.equal(d?.behaviour, 'on_file');
    assert.equal(d?.scope, 'file');
    assert.deepEqual(d?.attachment, { behaviour: 'on_file', path: 'docs/a/x.txt' });
    assert.equal(d?.ruleIndex, 0);
    assert.equal(d?.ruleText, 'export if different and remote_size_bigger');
    assert.equal(decide('docs/a/y.txt')?.behaviour, 'on_deep_dir');
    assert.equal(decide('docs/a/b/c/z.txt')?.behaviour, 'on_deep_dir');
    assert.equal(decide('docs/b.txt')?.behaviour, 'on_dir');
    assert.equal(decide('music/song.mp3')?.behaviour, 'on_pair');
    assert.equal(decide('music/song.mp3', all, 'P2')?.behaviour, 'on_peer');
    assert.equal(decide('music/song.mp3', all, 'P3')?.behaviour, 'on_folder');
    assert.equal(decide('music/song.mp3', all, 'P3', 'other')?.behaviour, 'everywhere');
  });

  it('defers to more general attachments when a specific behaviour has no matching rule', () => {
    // file rule needs remote_size_bigger → falls to the deep directory
    assert.equal(decide('docs/a/x.txt', { ...all, remoteSize: 'same' })?.behaviour, 'on_deep_dir');
    // and the deep directory needs remote_fresher_yes → falls to the shallower one
    assert.equal(decide('docs/a/x.txt', { ...all, remoteSize: 'same', remoteFresher: 'no' })?.behaviour, 'on_dir');
    // the shallow directory needs local_unchanged → the folder–peer pair
    const s = { ...all, remoteSize: 'same', remoteFresher: 'no', local: 'modified' } as const;
    assert.equal(decide('docs/a/x.txt', s)?.behaviour, 'on_pair');
    // the pair needs different → the folder's catch-all
    assert.equal(decide('docs/a/x.txt', { ...s, content: 'same' })?.behaviour, 'on_folder');
  });

  it('returns undefined when no attachment yields a command, so the default plan applies', () => {
    const only: Attachment[] = [{ behaviour: 'on_file', path: 'docs/a/x.txt' }, { behaviour: 'on_pair', peer: 'P1', folder: 'photos' }];
    assert.equal(resolveCommand(only, definitions, target('docs/a/x.txt'), { ...all, remoteSize: 'same', content: 'same' }), undefined);
    assert.equal(resolveCommand([], definitions, target('a'), all), undefined);
  });

  it('treats a path attachment as the file itself or a directory above, never a sibling with a common prefix', () => {
    const only: Attachment[] = [{ behaviour: 'everywhere', path: 'doc' }];
    assert.equal(resolveCommand(only, definitions, target('docs/x'), all), undefined);
    assert.equal(resolveCommand(only, definitions, target('doc.txt'), all), undefined);
    assert.equal(resolveCommand(only, definitions, target('doc'), all)?.scope, 'file');
    assert.equal(resolveCommand(only, definitions, target('doc/x'), all)?.scope, 'directory');
  });

  it('applies a path attachment restricted to a peer only for that peer, ahead of an unrestricted one', () => {
    const only: Attachment[] = [
      { behaviour: 'on_folder', path: 'docs' },
      { behaviour: 'everywhere', path: 'docs', peer: 'P1' },
    ];
    assert.equal(resolveCommand(only, definitions, target('docs/x', 'P1'), all)?.behaviour, 'everywhere');
    assert.equal(resolveCommand(only, definitions, target('docs/x', 'P2'), all)?.behaviour, 'on_folder');
  });

  it('breaks a tie between equally specific attachments by list order', () => {
    const only: Attachment[] = [{ behaviour: 'on_folder', folder: 'photos' }, { behaviour: 'everywhere', folder: 'photos' }];
    assert.equal(resolveCommand(only, definitions, target('x'), all)?.behaviour, 'on_folder');
  });

  it('falls back to built-ins, and user definitions shadow them', () => {
    const builtin: Attachment[] = [{ behaviour: 'remote_is_master', folder: 'photos' }];
    assert.equal(resolveCommand(builtin, new Map(), target('x'), all)?.command, 'import');
    const shadow = new Map([['remote_is_master', parseBehaviour('remote_is_master=ask')]]);
    assert.equal(resolveCommand(builtin, shadow, target('x'), all)?.command, 'ask');
  });

  it('rejects attachments naming unknown behaviours or impossible paths', () => {
    assert.throws(() => resolveCommand([{ behaviour: 'nope' }], definitions, target('x'), all), (e: unknown) => {
      return e instanceof UnknownBehaviourError && e.code === 'SYNCLINE_BEHAVIOUR_UNKNOWN' && e.behaviour === 'nope';
    });
    for (const path of ['../x', '/abs', '', 'a//b', '.syncline/db']) {
      assert.throws(
        () => applicableAttachments([{ behaviour: 'everywhere', path }], target('x')),
        (e: unknown) => e instanceof InvalidAttachmentError && e.code === 'SYNCLINE_BEHAVIOUR_ATTACHMENT',
        path,
      );
    }
  });
});
