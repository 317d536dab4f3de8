// Builds the browser harness: the real compiled Switchboard component (the .js that
// `npm run build:lwc` writes next to each .ts), rendered by LWC OSS with the open-source
// lightning-base-components and SLDS, Salesforce's platform modules replaced by the stubs
// in harness/stubs/. The Custom Labels are the real ones, read from the labels and
// translations XML at build time; the page picks the language (?lang=de). Output:
// harness/dist/{index.html, app.js, assets/} — served by the demo bridge at /.
// Usage: node harness/build.mjs
import { cp, mkdir, readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import lwc from '@lwc/rollup-plugin';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import { XMLParser } from 'fast-xml-parser';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(here, 'dist');
const lwcDir = path.join(root, 'force-app/main/default/lwc');
const stubsDir = path.join(here, 'stubs');
const labelsFile = path.join(root, 'force-app/main/default/labels/CustomLabels.labels-meta.xml');
const translationsDir = path.join(root, 'force-app/main/default/translations');
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

/** The user's locale settings the page decides (?lang=, ?locale=, ?tz=; see stubs/harness-state.js). */
const I18N = {
  '@salesforce/i18n/locale': 'harnessLocale',
  '@salesforce/i18n/lang': 'harnessLanguage',
  '@salesforce/i18n/timeZone': 'harnessTimeZone',
};

/**
 * Every Custom Label of the package in every language it ships: {name: {en: …, de: …}}. English is
 * the labels file itself; each translations/<lang>.translation-meta.xml adds a language.
 */
async function readLabels() {
  const parse = (xml, list) =>
    new XMLParser({ isArray: (name) => name === list, parseTagValue: false }).parse(xml);
  /** @type {Record<string, Record<string, string>>} */
  const labels = {};
  const source = parse(await readFile(labelsFile, 'utf8'), 'labels').CustomLabels?.labels ?? [];
  for (const label of source) labels[label.fullName] = { en: String(label.value) };
  for (const file of await readdir(translationsDir).catch(() => [])) {
    const language = /^(\w+)\.translation-meta\.xml$/.exec(file)?.[1];
    if (!language) continue;
    const xml = await readFile(path.join(translationsDir, file), 'utf8');
    for (const entry of parse(xml, 'customLabels').Translations?.customLabels ?? []) {
      if (!labels[entry.name])
        throw new Error(`${file} translates ${entry.name}, which is not a Custom Label`);
      labels[entry.name][language] = String(entry.label);
    }
  }
  return labels;
}

/**
 * Resolves platform imports to the stubs. Apex methods, message channels, the user id, Custom
 * Labels and the user's locale are generated modules: `@salesforce/apex/Class.method`
 * re-exports `method` from stubs/salesforce/apex.js; `@salesforce/label/c.Name` is the label's
 * value in the page's language (English when it has no translation, as in an org).
 */
function platformStubs(labels) {
  const VIRTUAL = '\0switchboard-harness:';
  const stub = (file) => JSON.stringify(path.join(stubsDir, file));
  return {
    name: 'switchboard-platform-stubs',
    resolveId(id) {
      if (STUBS[id]) return path.join(stubsDir, STUBS[id]);
      if (I18N[id]) return `${VIRTUAL}${id}`;
      // Other @salesforce/* ids (their labels, i18n) are mapped by lightning-base-components.
      if (
        /^@salesforce\/(apex|messageChannel)\/|^@salesforce\/user\/Id$|^@salesforce\/label\/c\./.test(
          id,
        )
      )
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
      if (I18N[name])
        return `import { ${I18N[name]} } from ${stub('harness-state.js')};\nexport default ${I18N[name]}();\n`;
      const label = /^@salesforce\/label\/c\.(\w+)$/.exec(name);
      if (label) {
        const values = labels[label[1]];
        if (!values)
          throw new Error(
            `${name}: no Custom Label ${label[1]} in ${path.relative(root, labelsFile)}`,
          );
        return `import { harnessLabel } from ${stub('salesforce/labels.js')};\nexport default harnessLabel(${JSON.stringify(values)});\n`;
      }
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
      platformStubs(await readLabels()),
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
