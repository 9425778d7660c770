/**
 * Static checks of docker/: the Dockerfile and compose file parse, and everything they name —
 * entrypoint, commands and flags, environment variables, ports, volumes, health check — is
 * what the CLI and the daemon actually accept. (No Docker engine is needed; the image's
 * entrypoint itself runs on network-namespace hosts in test/netns-cluster.test.ts.)
 */
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyEnvironment, DEFAULT_CONFIG } from '@syncline/daemon';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import {
  DOCKER_DIR,
  DOCKERFILE,
  ENTRYPOINT,
  execForm,
  interpolate,
  parseEnvFile,
  readCompose,
  readDockerfile,
  serviceEnvironment,
  stageEnv,
  volumeTargets,
  yamlLibrary,
  type ComposeFile,
  type Stage,
} from './helpers/netns-docker-files.js';
import { aptInstall, hasTool as has, run } from './helpers/netns.js';
import { tempDir } from './helpers/tmp.js';

const NODE_BASE = 'node:24-slim';
const SCRIPTS = [ENTRYPOINT, path.join(DOCKER_DIR, 'init-env.sh'), path.join(REPO_ROOT, 'scripts/netns-cluster')];

/** Arguments of a stage's instructions with this keyword. */
const argsOf = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const portOf = (multiaddr: string) => /\/tcp\/(\d+)/.exec(multiaddr)?.[1];
/** A .dockerignore pattern as a RegExp: `*` within a path segment, `**` across segments. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/\/+$/, '')
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}(?:/.*)?$`);
}
const FAKE_ID = (letter: string) => `12D3KooW${letter.repeat(44)}`; // a well-formed base58 device ID

/** Every SYNCLINE_* environment variable the packages read (process.env.X / env.X). */
async function variablesTheCodeReads(): Promise<Set<string>> {
  const r = await run('grep', ['-rhoE', "env(\\.|\\[')SYNCLINE_[A-Z0-9_]+", path.join(REPO_ROOT, 'packages'), '--include=*.ts', '--exclude-dir=node_modules', '--exclude-dir=dist', '--exclude-dir=test']);
  return new Set(r.stdout.split('\n').map((l) => /SYNCLINE_[A-Z0-9_]+/.exec(l)?.[0]).filter((v): v is string => !!v));
}

const helpCache = new Map<string, Promise<string>>();
/** `syncline <command> --help`, from the sources. */
function helpOf(command: string): Promise<string> {
  if (!helpCache.has(command)) {
    helpCache.set(
      command,
      runCli([...command.split(' '), '--help']).then((r) => {
        assert.equal(r.code, 0, `syncline ${command} --help: ${r.stderr}`);
        return r.stdout;
      }),
    );
  }
  return helpCache.get(command)!;
}

describe('docker files (static checks)', function () {
  this.timeout(120_000);
  let stages: Stage[];
  let final: Stage;
  let compose: ComposeFile;
  let entrypoint: string;

  before(async () => {
    ({ stages, final } = await readDockerfile());
    compose = await readCompose();
    entrypoint = await readFile(ENTRYPOINT, 'utf8');
  });

  describe('Dockerfile', () => {
    it('is multi-stage on node:24-slim and runs as a non-root user', () => {
      assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
      for (const s of stages) assert.equal(s.from, NODE_BASE, `every stage starts from ${NODE_BASE}`);
      assert.ok(argsOf(final, 'COPY').some((a) => a.includes('--from=')), 'the runtime stage copies the build stage’s output');
      assert.ok(!argsOf(final, 'RUN').some((a) => /npm (ci|install)\b|tsc\b/.test(a)), 'no dependency install or compile in the runtime stage');
      const users = argsOf(final, 'USER');
      assert.ok(users.length > 0, 'a USER is set');
      assert.ok(!/^(root|0)(:|$)/.test(users.at(-1)!), `runs as ${users.at(-1)}, not root`);
    });

    it('declares /config (the home) and /data (the folders) as volumes, owned by that user', () => {
      const volumes = argsOf(final, 'VOLUME').flatMap((a) => (a.startsWith('[') ? execForm(a, 'VOLUME') : a.split(' ')));
      assert.deepEqual([...volumes].sort(), ['/config', '/data']);
      assert.equal(stageEnv(final).SYNCLINE_HOME, '/config', 'SYNCLINE_HOME is the /config volume');
      const user = argsOf(final, 'USER').at(-1)!.split(':')[0]!;
      assert.ok(argsOf(final, 'RUN').some((a) => new RegExp(`chown ${user}(:\\S+)? /config /data`).test(a)), `/config and /data belong to ${user} before VOLUME`);
    });

    it('exposes the port the node listens on', () => {
      const exposed = argsOf(final, 'EXPOSE').flatMap((a) => a.split(' '));
      const listen = stageEnv(final).SYNCLINE_LISTEN;
      assert.ok(listen, 'the image sets SYNCLINE_LISTEN');
      assert.deepEqual(exposed, listen.split(',').map((m) => `${portOf(m)}/tcp`));
      assert.equal(portOf(DEFAULT_CONFIG.listen[0]!), portOf(listen), 'the same port as the daemon’s default');
    });

    it('runs docker/entrypoint.sh under tini, with `daemon` as the default command, stopped by SIGTERM', () => {
      const [entry] = argsOf(final, 'ENTRYPOINT').map((a) => execForm(a, 'ENTRYPOINT'));
      assert.ok(entry, 'an ENTRYPOINT');
      assert.deepEqual(entry.slice(0, 2), ['/usr/bin/tini', '--'], 'tini is PID 1 and forwards signals');
      assert.ok(argsOf(final, 'RUN').some((a) => /apt-get install .*\btini\b/.test(a)), 'tini is installed in the runtime stage');
      const copied = argsOf(final, 'COPY').find((a) => /(^|\s)docker\/entrypoint\.sh\s/.test(a));
      assert.ok(copied, 'docker/entrypoint.sh is copied into the image');
      assert.equal(copied.split(' ').at(-1), entry[2], 'the ENTRYPOINT is the copied entrypoint');
      assert.match(copied, /--chmod=0?755/, 'and executable');
      assert.deepEqual(argsOf(final, 'CMD').map((a) => execForm(a, 'CMD')), [['daemon']]);
      assert.deepEqual(argsOf(final, 'STOPSIGNAL'), ['SIGTERM']);
    });

    it('puts `syncline` on the PATH, linked to the built CLI', async () => {
      const link = argsOf(final, 'RUN').join(' ').match(/ln -s (\S+) \/usr\/local\/bin\/syncline\b/);
      assert.ok(link, 'a /usr/local/bin/syncline link');
      const workdir = argsOf(final, 'WORKDIR').at(-1)!;
      const target = path.relative(workdir, link[1]!);
      const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as { bin: Record<string, string> };
      assert.equal(target, path.join('packages/cli', pkg.bin.syncline!), 'the CLI package’s bin');
    });

    it('has a HEALTHCHECK that asks the control API: `syncline status --home /config`', async () => {
      const [hc] = argsOf(final, 'HEALTHCHECK');
      assert.ok(hc, 'a HEALTHCHECK');
      const cmd = execForm(hc.replace(/^(--\S+\s+)*/, ''), 'HEALTHCHECK');
      assert.deepEqual(cmd, ['syncline', 'status', '--home', '/config']);
      assert.match(await helpOf('status'), /--home <dir>/);
      // And `status` fails when no daemon answers (what makes the container unhealthy).
      const { dir, cleanup } = await tempDir();
      try {
        const r = await runCli(['status', '--home', dir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /no daemon is running/);
      } finally {
        await cleanup();
      }
    });

    it('Dockerfile.dockerignore keeps every file the Dockerfile copies from the build context', async () => {
      const rules = (await readFile(path.join(DOCKER_DIR, 'Dockerfile.dockerignore'), 'utf8'))
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'));
      const kept = rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1));
      const sources = stages.flatMap((s) =>
        argsOf(s, 'COPY')
          .filter((a) => !a.includes('--from='))
          .flatMap((a) => a.split(' ').filter((w) => !w.startsWith('--')).slice(0, -1)),
      );
      assert.ok(sources.length > 0);
      for (const src of sources) {
        // a copied directory: a manifest and a source file inside it must be kept
        const probes = src.endsWith('/') ? [`${src}core/package.json`, `${src}core/src/index.ts`, `${src}cli/bin/syncline.js`, `${src}daemon/web/index.html`] : [src];
        for (const probe of probes) assert.ok(kept.some((k) => globToRegExp(k).test(probe)), `${probe} is copied but excluded from the build context`);
      }
    });

    it('passes hadolint (when Debian packages it)', async function () {
      if (!(await has('hadolint'))) {
        const policy = await run('apt-cache', ['policy', 'hadolint']).catch(() => ({ stdout: '' }));
        if (!/Candidate: (?!\(none\))/.test(policy.stdout) || !(await aptInstall(['hadolint']))) {
          console.log('      (skipped: hadolint is not packaged by this Debian release; the Dockerfile’s content is checked by the tests above)');
          this.skip();
        }
      }
      const r = await run('hadolint', [DOCKERFILE]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
  });

  describe('docker/entrypoint.sh', () => {
    it('is valid bash, and every syncline command and flag it uses exists', async () => {
      for (const script of SCRIPTS) {
        const syntax = await run('bash', ['-n', script]);
        assert.equal(syntax.code, 0, `${script}: ${syntax.stderr}`);
      }
      const uses = entrypoint
        .split('\n')
        .filter((l) => !l.trim().startsWith('#'))
        .flatMap((l) => [...l.matchAll(/\bsyncline ([a-z]+)([^)|;&]*)/g)].map((m) => ({ command: m[1]!, flags: m[2]!.match(/--[a-z][a-z-]*/g) ?? [] })));
      assert.deepEqual([...new Set(uses.map((u) => u.command))].sort(), ['daemon', 'id', 'status']);
      for (const { command, flags } of uses) {
        const help = await helpOf(command);
        for (const flag of flags) assert.match(help, new RegExp(`\\s${flag}\\b`), `syncline ${command} has ${flag}`);
      }
    });

    it('defaults the home to the /config volume and starts the daemon with --json', () => {
      assert.match(entrypoint, /SYNCLINE_HOME="\$\{SYNCLINE_HOME:-\/config\}"/);
      assert.match(entrypoint, /^exec syncline daemon --home "\$home" --json "\$@"$/m, 'exec, so the daemon gets the signals');
    });

    it('passes shellcheck, as do init-env.sh and scripts/netns-cluster', async function () {
      if (!(await has('shellcheck')) && !(await aptInstall(['shellcheck']))) {
        console.log('      (skipped: shellcheck is missing and could not be installed)');
        this.skip();
      }
      const r = await run('shellcheck', SCRIPTS);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
  });

  describe('docker/compose.yml', () => {
    const services = () => Object.keys(compose.services).sort();
    const ids = { SYNCLINE_ID_A: FAKE_ID('a'), SYNCLINE_ID_B: FAKE_ID('b'), SYNCLINE_ID_C: FAKE_ID('c') };

    it(`parses (with the YAML parser available) into three nodes built from docker/Dockerfile`, async () => {
      const lib = await yamlLibrary();
      if (lib.name !== 'yaml') console.log('      (note: parsed with js-yaml, a dependency of mocha; add `yaml` to the devDependencies)');
      assert.deepEqual(services(), ['node-a', 'node-b', 'node-c']);
      for (const [name, s] of Object.entries(compose.services)) {
        const build = typeof s.build === 'string' ? { context: s.build } : s.build!;
        assert.ok(build, `${name} is built here`);
        const context = path.resolve(DOCKER_DIR, build.context ?? '.');
        assert.equal(context, REPO_ROOT, `${name}: the build context is the repository root`);
        assert.equal(path.resolve(context, build.dockerfile ?? 'Dockerfile'), DOCKERFILE);
        assert.equal(s.hostname, name, `${name}: its hostname is its service name`);
        assert.ok(s.stop_grace_period, `${name}: a stop grace period for the clean shutdown`);
      }
    });

    it('mounts a volume on /config and on /data of every node, and declares those volumes', () => {
      for (const [name, s] of Object.entries(compose.services)) {
        assert.deepEqual(volumeTargets(s).sort(), ['/config', '/data'], name);
        for (const v of s.volumes ?? []) {
          const source = typeof v === 'string' ? v.split(':')[0]! : v.source!;
          if (!source.startsWith('.') && !source.startsWith('/')) assert.ok(compose.volumes && source in compose.volumes, `volume ${source} is declared`);
        }
      }
    });

    it('sets only SYNCLINE_* variables the daemon reads, with values the daemon accepts', async () => {
      const read = await variablesTheCodeReads();
      const { final: image } = await readDockerfile();
      for (const [name, s] of Object.entries(compose.services)) {
        const env = serviceEnvironment(s, ids);
        for (const key of Object.keys(env)) {
          assert.match(key, /^SYNCLINE_/, `${name}: ${key} is a Syncline setting`);
          assert.ok(read.has(key), `${name}: ${key} is read by the daemon (it reads ${[...read].sort().join(', ')})`);
        }
        for (const key of Object.keys(stageEnv(image)).filter((k) => k.startsWith('SYNCLINE_'))) assert.ok(read.has(key), `Dockerfile ENV ${key} is read by the daemon`);
        const config = applyEnvironment(DEFAULT_CONFIG, { ...stageEnv(image), ...env });
        assert.equal(config.mdns, false, `${name}: no mDNS on a compose network`);
        assert.deepEqual(config.listen.map(portOf), argsOf(image, 'EXPOSE').map((p) => p.split('/')[0]), `${name}: listens on the EXPOSEd port`);
        assert.deepEqual(config.folders.map((f) => f.id), ['shared']);
        assert.ok(config.folders[0]!.path.startsWith('/data/'), `${name}: the folder is in the /data volume`);
        assert.deepEqual([...config.folders[0]!.devices].sort(), config.peers.map((p) => p.deviceId).sort(), `${name}: shared with every peer`);
      }
    });

    it('wires a full mesh of static peers by name (/dns4/node-x/tcp/4001) with the device IDs from .env', async () => {
      const port = argsOf(final, 'EXPOSE')[0]!.split('/')[0];
      for (const [name, s] of Object.entries(compose.services)) {
        const config = applyEnvironment(DEFAULT_CONFIG, serviceEnvironment(s, ids));
        const expected = services()
          .filter((other) => other !== name)
          .map((other) => ({ deviceId: ids[`SYNCLINE_ID_${other.slice(5).toUpperCase()}` as keyof typeof ids], addrs: [`/dns4/${other}/tcp/${port}`] }));
        assert.deepEqual(config.peers, expected, `${name}'s peers`);
      }
      const example = parseEnvFile(await readFile(path.join(DOCKER_DIR, '.env.example'), 'utf8'));
      assert.deepEqual(Object.keys(example).filter((k) => k.startsWith('SYNCLINE_ID_')).sort(), Object.keys(ids).sort(), '.env.example lists the ID variables');
      // Before .env exists the variables are empty: compose still loads (for `run … id --init`),
      // and the entrypoint refuses to start the daemon with a clear message.
      const unset = serviceEnvironment(compose.services['node-a']!, {});
      assert.match(unset.SYNCLINE_PEERS!, /^@\/dns4\//);
      const { dir, cleanup } = await tempDir();
      try {
        const r = await run('bash', [ENTRYPOINT, 'daemon'], { env: { SYNCLINE_HOME: path.join(dir, 'home'), SYNCLINE_PEERS: unset.SYNCLINE_PEERS!, SYNCLINE_FOLDERS: '' } });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /SYNCLINE_PEERS has an entry without a device ID.*docker\/\.env/);
      } finally {
        await cleanup();
      }
    });

    it('interpolates as compose does', () => {
      assert.equal(interpolate('${A:-x}/${B-y}/$C/$$D', { A: '', B: '', C: 'c' }), 'x//c/$D');
      assert.throws(() => interpolate('${A:?set A}', {}), /A is required: set A/);
    });
  });

  describe('docker/init-env.sh', () => {
    it('creates each node’s identity through the entrypoint and writes the IDs to .env, keeping them on a rerun', async function () {
      this.timeout(180_000);
      const { dir, cleanup } = await tempDir('syncline-init-env-');
      try {
        // The script as shipped, beside a stand-in `docker` that runs the entrypoint the way
        // `docker compose run --rm --no-deps -T node-x id --init` runs it in node-x's container.
        const project = path.join(dir, 'docker');
        const bin = path.join(dir, 'bin');
        await mkdir(project, { recursive: true });
        await mkdir(bin);
        await copyFile(path.join(DOCKER_DIR, 'init-env.sh'), path.join(project, 'init-env.sh'));
        await chmod(path.join(project, 'init-env.sh'), 0o755);
        await writeFile(
          path.join(bin, 'docker'),
          [
            '#!/usr/bin/env bash',
            'set -euo pipefail',
            '[[ "$1 $2" == "compose run" ]] || { echo "unexpected: docker $*" >&2; exit 90; }',
            'shift 2',
            'while [[ "$1" == -* ]]; do shift; done',
            'service="$1"; shift',
            `export SYNCLINE_HOME="${dir}/volumes/$service-config"`,
            `exec "${ENTRYPOINT}" "$@"`,
          ].join('\n') + '\n',
          { mode: 0o755 },
        );
        await writeFile(path.join(bin, 'syncline'), `#!/bin/sh\nexec "${process.execPath}" --conditions=source --import "${path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')}" "${path.join(REPO_ROOT, 'packages/cli/src/bin.ts')}" "$@"\n`, { mode: 0o755 });
        await writeFile(path.join(project, '.env'), 'SYNCLINE_LOG=debug\nSYNCLINE_ID_A=stale\n');
        const env = { PATH: `${bin}:${process.env.PATH}` };
        const first = await run(path.join(project, 'init-env.sh'), [], { env, timeoutMs: 150_000 });
        assert.equal(first.code, 0, first.stderr);
        const written = parseEnvFile(await readFile(path.join(project, '.env'), 'utf8'));
        assert.equal(written.SYNCLINE_LOG, 'debug', 'other settings are kept');
        for (const letter of ['A', 'B', 'C']) assert.match(written[`SYNCLINE_ID_${letter}`] ?? '', /^12D3KooW[1-9A-HJ-NP-Za-km-z]{40,}$/);
        assert.equal(new Set([written.SYNCLINE_ID_A, written.SYNCLINE_ID_B, written.SYNCLINE_ID_C]).size, 3, 'three identities');
        const again = await run(path.join(project, 'init-env.sh'), [], { env, timeoutMs: 150_000 });
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(parseEnvFile(await readFile(path.join(project, '.env'), 'utf8')), written, 'a rerun keeps the identities');
      } finally {
        await cleanup();
      }
    });
  });

  describe('docker/README.md', () => {
    it('walks through the one-time trust step, the variables and the volumes', async () => {
      const readme = await readFile(path.join(DOCKER_DIR, 'README.md'), 'utf8');
      assert.match(readme, /^# Running in Docker/m);
      for (const text of ['docker compose run --rm node-a id --init', './init-env.sh', 'docker compose up -d', 'SYNCLINE_ID_A', '/config', '/data', 'chown -R 1000:1000', 'scripts/netns-cluster']) {
        assert.ok(readme.includes(text), `mentions ${text}`);
      }
      const variables = new Set(Object.values(compose.services).flatMap((s) => Object.keys(serviceEnvironment(s, {}))));
      for (const v of [...variables, 'SYNCLINE_HOME', 'SYNCLINE_API_PORT']) assert.ok(readme.includes(v), `documents ${v}`);
    });
  });
});
