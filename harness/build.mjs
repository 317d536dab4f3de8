// Builds the browser harness: the real compiled Switchboard component (the .js that
// `npm run build:lwc` writes next to each .ts), rendered by LWC OSS with the open-source
// lightning-base-components and SLDS, Salesforce's platform modules replaced by the stubs
// in harness/stubs/. Output: harness/dist/{index.html, app.js, assets/} — served by the
// demo bridge at /. Usage: node harness/build.mjs
import { cp, mkdir, readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import lwc from '@lwc/rollup-plugin';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(here, 'dist');
const lwcDir = path.join(root, 'force-app/main/default/lwc');
const stubsDir = path.join(here, 'stubs');
const require = createRequire(import.meta.url);

/** Platform modules the component imports, and the stand-ins the harness gives it. */
const STUBS = {
  'lightning/navigation': 'lightning/navigation.js',
  'lightning/pageReferenceUtils': 'lightning/pageReferenceUtils.js',
  'lightning/messageService': 'lightning/messageService.js',
  'lightning/platformUtilityBarApi': 'lightning/platformUtilityBarApi.js',
  'lightning/platformWorkspaceApi': 'lightning/platformWorkspaceApi.js',
  'lightning/uiRecordApi': 'lightning/uiRecordApi.js',
  'lightning/uiObjectInfoApi': 'lightning/uiObjectInfoApi.js',
  // base components import these internally; the real ones need the Lightning runtime.
  'force/navigation': 'lightning/navigation.js',
};

/**
 * Resolves platform imports to the stubs. Apex methods, message channels and the user id are
 * generated modules: `@salesforce/apex/Class.method` re-exports `method` from stubs/salesforce/apex.js.
 */
function platformStubs() {
  const VIRTUAL = '\0switchboard-harness:';
  return {
    name: 'switchboard-platform-stubs',
    resolveId(id) {
      if (STUBS[id]) return path.join(stubsDir, STUBS[id]);
      // Other @salesforce/* ids (labels, i18n) are mapped by lightning-base-components itself.
      if (/^@salesforce\/(apex|messageChannel)\/|^@salesforce\/user\/Id$/.test(id))
        return `${VIRTUAL}${id}`;
      return null;
    },
    load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      const name = id.slice(VIRTUAL.length);
      const apex = /^@salesforce\/apex\/\w+\.(\w+)$/.exec(name);
      if (apex) {
        const file = JSON.stringify(path.join(stubsDir, 'salesforce/apex.js'));
        return `import { ${apex[1]} } from ${file};\nexport default ${apex[1]};\n`;
      }
      const channel = /^@salesforce\/messageChannel\/(\w+)$/.exec(name);
      if (channel) return `export default { channelName: ${JSON.stringify(channel[1])} };\n`;
      if (name === '@salesforce/user/Id') return `export default '005Hs00000USR01';\n`;
      throw new Error(`The harness has no stub for ${name}: add one in harness/build.mjs`);
    },
  };
}

/** Every sfdx bundle (lwc/<name>/<name>.js) as the module c/<name>; the .js must be built. */
async function componentModules() {
  const modules = [];
  for (const entry of await readdir(lwcDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const js = path.join(lwcDir, entry.name, `${entry.name}.js`);
    const ts = path.join(lwcDir, entry.name, `${entry.name}.ts`);
    const [jsStat, tsStat] = await Promise.all([
      stat(js).catch(() => null),
      stat(ts).catch(() => null),
    ]);
    if (!tsStat && !jsStat) continue;
    if (!jsStat || (tsStat && jsStat.mtimeMs < tsStat.mtimeMs))
      throw new Error(
        `${path.relative(root, js)} is missing or older than its .ts: run \`npm run build:lwc\` first`,
      );
    modules.push({ name: `c/${entry.name}`, path: js });
  }
  return modules;
}

async function build() {
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });

  // The engine must be the compiler's version (9.4.3 with @lwc/rollup-plugin 9.4.3); an
  // older hoisted copy (sfdx-lwc-jest pins 8.x) makes the browser warn about a mismatch.
  const engine = require.resolve('@lwc/engine-dom');
  const engineVersion = JSON.parse(
    await readFile(path.join(path.dirname(engine), '..', 'package.json'), 'utf8'),
  ).version;
  const compilerVersion = JSON.parse(
    await readFile(require.resolve('@lwc/rollup-plugin/package.json'), 'utf8'),
  ).version;
  if (engineVersion !== compilerVersion)
    throw new Error(`@lwc/engine-dom ${engineVersion} ≠ @lwc/rollup-plugin ${compilerVersion}`);

  const bundle = await rollup({
    input: path.join(here, 'src/main.js'),
    plugins: [
      platformStubs(),
      replace({
        preventAssignment: true,
        values: {
          'import.meta.env.SSR': 'false',
          'process.env.NODE_ENV': JSON.stringify(process.env.NODE_ENV ?? 'production'),
        },
      }),
      lwc({
        rootDir: root,
        modules: [
          ...(await componentModules()),
          { name: 'lwc', path: engine },
          { npm: 'lightning-base-components' },
        ],
      }),
      nodeResolve(),
    ],
    onwarn(warning, warn) {
      // Base components have circular imports and `this` at module scope: noise, not errors.
      if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
      // Template lint of the alpha base components (e.g. LWC1057) is theirs to fix, not ours.
      if (`${warning.id ?? ''}${warning.message}`.includes('lightning-base-components')) return;
      warn(warning);
    },
  });
  await bundle.write({
    file: path.join(dist, 'app.js'),
    format: 'iife',
    inlineDynamicImports: true,
    sourcemap: true,
  });
  await bundle.close();

  const slds = path.join(
    path.dirname(require.resolve('@salesforce-ux/design-system/package.json')),
    'assets',
  );
  await cp(path.join(slds, 'styles'), path.join(dist, 'assets/styles'), { recursive: true });
  await cp(path.join(slds, 'images'), path.join(dist, 'assets/images'), { recursive: true });
  for (const sprite of ['utility-sprite', 'standard-sprite'])
    await cp(path.join(slds, 'icons', sprite), path.join(dist, 'assets/icons', sprite), {
      recursive: true,
    });
  await cp(path.join(here, 'index.html'), path.join(dist, 'index.html'));
  await writeFile(
    path.join(dist, 'build.json'),
    JSON.stringify({ builtAt: new Date().toISOString(), lwc: engineVersion }, null, 2),
  );
  console.log(`harness built: ${path.relative(process.cwd(), dist)}/ (LWC ${engineVersion})`);
}

build().catch((error) => {
  console.error(`harness build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
