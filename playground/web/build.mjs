// Bundles GraphiQL into ../dist: index.html plus content-hashed scripts,
// styles, fonts and Monaco's workers under assets/. Run through ../build.sh.
import * as esbuild from 'esbuild';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const dist = path.resolve('../dist');
const assets = path.join(dist, 'assets');

const common = {
  bundle: true,
  minify: true,
  target: 'es2022',
  outdir: assets,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.ttf': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  logLevel: 'warning',
};

// outputs maps each entry point's name to its output file name.
function outputs(result) {
  const names = {};
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (out.entryPoint) names[path.basename(file).replace(/-[A-Z0-9]+\.\w+$/, '')] = path.basename(file);
  }
  return names;
}

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

// Monaco starts its language workers by label (see src/workers.js).
const workers = outputs(await esbuild.build({
  ...common,
  format: 'iife',
  entryPoints: {
    editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
    json: 'monaco-editor/esm/vs/language/json/json.worker.js',
    graphql: 'monaco-graphql/esm/graphql.worker.js',
  },
}));

const app = await esbuild.build({
  ...common,
  format: 'esm',
  jsx: 'automatic',
  entryPoints: { graphiql: 'src/main.jsx' },
  define: { ...common.define, WORKERS: JSON.stringify(workers) },
});
const entry = Object.entries(app.metafile.outputs).find(([, out]) => out.entryPoint);
const script = path.basename(entry[0]);
const style = path.basename(entry[1].cssBundle);

// No inline script or style: the server's Content-Security-Policy allows
// scripts from the same origin only.
await writeFile(path.join(dist, 'index.html'), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sessiongraph · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="playground/assets/${style}">
<script type="module" src="playground/assets/${script}"></script>
</head>
<body>
<div id="root"></div>
</body>
</html>
`);

for (const name of await readdir(assets)) {
  console.log(String((await stat(path.join(assets, name))).size).padStart(9), `assets/${name}`);
}
