// Bundles the built CLI (dist/bin.js and the workspace packages it imports, as built by
// `tsc -b`) into dist/bundle/, so that a command loads a few files instead of ~150 modules
// (module resolution and loading were about a third of a no-change `syncline sync`).
// bin/syncline.js runs the bundle only while it is newer than every build it was made from.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(cliDir, 'dist', 'bundle');
/** Pure-JavaScript dependencies on every command's path; all others stay in node_modules (native addons, workers, assets). */
const INLINED_DEPENDENCIES = ['commander', 'msgpackr'];
/** Written last: bin/syncline.js compares these builds' times with the bundle's. */
const INPUTS_FILE = 'inputs.json';

const inlined = (specifier) => specifier.startsWith('@syncline/') || INLINED_DEPENDENCIES.some((name) => specifier === name || specifier.startsWith(`${name}/`));

const keepLocations = {
  name: 'syncline-keep-locations',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (inlined(args.path) ? undefined : { external: true }));
    // Code that finds files next to itself (the hashing worker, the dashboard's assets,
    // optional native modules) keeps looking where its module was built, not in dist/bundle/.
    build.onLoad({ filter: /\.m?js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const original = `new URL(${JSON.stringify(path.relative(outdir, args.path).split(path.sep).join('/'))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', original), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { bin: path.join(cliDir, 'dist', 'bin.js') },
  outdir,
  bundle: true,
  splitting: true, // commands import the daemon and libp2p lazily: they stay in chunks of their own
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['default'], // the built JavaScript, never the `source` TypeScript
  plugins: [keepLocations],
  absWorkingDir: cliDir,
  metafile: true,
  logLevel: 'warning',
  // Inlined CommonJS code calls require() for Node's own modules.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
});

const builds = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*\/packages\/[^/]+\/dist)\//.exec(path.resolve(cliDir, input).split(path.sep).join('/'));
  if (match) builds.add(path.relative(outdir, path.join(match[1], '.tsbuildinfo')).split(path.sep).join('/'));
}
await writeFile(path.join(outdir, INPUTS_FILE), `${JSON.stringify({ builds: [...builds].sort() }, null, 2)}\n`);
