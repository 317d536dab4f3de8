#!/usr/bin/env node
// Offline check that force-app/ is a deployable Salesforce package, for CI without an org:
//   1. every Apex class/trigger parses (@apexdevtools/apex-parser), errors as file:line:col;
//   2. Salesforce's own library (@salesforce/source-deploy-retrieve) recognizes every source
//      file as part of a metadata component, and converts the project into a metadata-API
//      package (what `sf project deploy start` sends);
//   3. the package holds compiled LWC .js and no TypeScript, tests or tsconfig files, no
//      compiled module refers to a file outside its bundle (such as the bridge's sources), and
//      none has a numeric separator (30_000), which Salesforce's LWC compiler refuses;
//   4. references between components resolve (utility bar -> LWC, permission sets -> Apex etc.,
//      components -> Custom Labels), and every translation translates every Custom Label;
//   5. manifest/package.xml lists exactly the components of the package.
//
// Usage: node scripts/check-package.mjs [--project <dir>] [--output <dir>] [--write-manifest]
//   --project         SFDX project root (default: this repo)
//   --output          keep the converted package there (deployable with --metadata-dir)
//   --write-manifest  rewrite manifest/package.xml from the package instead of comparing
// Exit code 0 when everything holds, 1 otherwise (each problem printed on its own line).
import { createRequire } from 'node:module';
import Module from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';
import { XMLParser } from 'fast-xml-parser';

const require = createRequire(import.meta.url);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST = path.join('manifest', 'package.xml');

/**
 * @typedef {{ project?: string, output?: string, writeManifest?: boolean }} CheckOptions
 * @typedef {{ type: string, fullName: string }} ComponentName
 * @typedef {{ problems: string[], components: ComponentName[], packageXml: string | null }} CheckResult
 */

/**
 * Loads source-deploy-retrieve. Its dependency chain (@salesforce/core -> @jsforce/jsforce-node)
 * requires undici 8, which needs Node >= 22 and fails to even load on Node 20 (zlib zstd). This
 * check never touches the network, so on older Node the HTTP client is replaced by an inert stub
 * for that one importer; anything that tried to use it would throw.
 */
function loadSourceDeployRetrieve() {
  process.env.SF_DISABLE_LOG_FILE = 'true'; // no ~/.sf/sf-*.log from a CI check
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    const offline = () => {
      throw new Error('check-package is offline: no HTTP from source-deploy-retrieve');
    };
    const stub = { Agent: class {}, ProxyAgent: class {}, fetch: offline, request: offline };
    const originalLoad = /** @type {any} */ (Module)._load;
    /** @type {any} */ (Module)._load = function (
      /** @type {string} */ request,
      /** @type {{ filename?: string } | undefined} */ parent,
      /** @type {unknown[]} */ ...rest
    ) {
      if (
        request === 'undici' &&
        parent?.filename?.includes(`${path.sep}jsforce-node${path.sep}`)
      ) {
        return stub;
      }
      return originalLoad.call(this, request, parent, ...rest);
    };
  }
  return require('@salesforce/source-deploy-retrieve');
}

/**
 * The relative module specifiers a compiled module imports (static, dynamic and re-exports).
 * @param {string} text @returns {string[]}
 */
export function relativeImports(text) {
  const pattern = /(?:\bfrom|\bimport)\s*\(?\s*(['"])(\.{1,2}\/[^'"]*)\1/g;
  return [...text.matchAll(pattern)].map((match) => /** @type {string} */ (match[2]));
}

/**
 * Numeric literals with separators (`30_000`, `0xFF_FF`) in JavaScript, outside strings and
 * comments: `tsc` keeps them for an ESNext target, and Salesforce's compiler rejects them.
 * @param {string} text @returns {{ line: number, literal: string }[]}
 */
export function numericSeparators(text) {
  const token =
    /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|(?<![\w$])(?:0[xXoObB][\da-fA-F_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?[\d_]+)?)n?/g;
  /** @type {{ line: number, literal: string }[]} */
  const found = [];
  for (const match of text.matchAll(token)) {
    const literal = match[0];
    if (/^[\d]/.test(literal) && literal.includes('_')) {
      const line = text.slice(0, match.index).split('\n').length;
      found.push({ line, literal });
    }
  }
  return found;
}

/** @param {string} dir @returns {string[]} every file below dir */
function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/**
 * Parses Apex sources; the platform compiler is not available offline, so this catches syntax
 * errors only (not type errors such as a misspelled method).
 * @param {string[]} files
 * @param {string} root
 * @returns {string[]} problems as "file:line:col message"
 */
export function parseApex(files, root) {
  /** @type {string[]} */
  const problems = [];
  for (const file of files) {
    const relative = path.relative(root, file);
    class Collect extends ApexErrorListener {
      /** @param {number} line @param {number} column @param {string} message */
      apexSyntaxError(line, column, message) {
        problems.push(`${relative}:${line}:${column + 1} Apex syntax error: ${message}`);
      }
    }
    const source = fs.readFileSync(file, 'utf8');
    const { parser } = ApexParserFactory.createLexerAndParser(source, new Collect());
    if (file.endsWith('.trigger')) parser.triggerUnit();
    else parser.compilationUnit();
  }
  return problems;
}

/** @param {string} xml @returns {Map<string, string[]>} metadata type -> sorted members */
function manifestTypes(xml) {
  const parsed = new XMLParser({ isArray: (name) => name === 'types' || name === 'members' }).parse(
    xml,
  );
  /** @type {Map<string, string[]>} */
  const types = new Map();
  for (const entry of parsed?.Package?.types ?? []) {
    types.set(String(entry.name), (entry.members ?? []).map(String).sort());
  }
  return types;
}

/**
 * @param {string} expectedXml the package.xml source-deploy-retrieve generates
 * @param {string} actualXml the committed manifest
 * @returns {string[]}
 */
export function compareManifests(expectedXml, actualXml) {
  const expected = manifestTypes(expectedXml);
  const actual = manifestTypes(actualXml);
  /** @type {string[]} */
  const problems = [];
  for (const type of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(type) ?? [];
    const have = actual.get(type) ?? [];
    for (const member of want.filter((m) => !have.includes(m))) {
      problems.push(`${MANIFEST}: missing ${type} ${member}`);
    }
    for (const member of have.filter((m) => m !== '*' && !want.includes(m))) {
      problems.push(`${MANIFEST}: lists ${type} ${member}, which is not in the package`);
    }
  }
  return problems;
}

/**
 * Cross-references that the metadata API would only reject at deploy time.
 * @param {any[]} sources SDR SourceComponents
 * @param {(type: string, name: string) => boolean} has
 * @param {string} root
 * @returns {string[]}
 */
function checkReferences(sources, has, root) {
  const xml = new XMLParser({
    isArray: (name) =>
      [
        'flexiPageRegions',
        'itemInstances',
        'classAccesses',
        'customPermissions',
        'customSettingAccesses',
      ].includes(name),
  });
  /** @type {string[]} */
  const problems = [];
  for (const component of sources) {
    if (!component.xml) continue;
    const where = path.relative(root, component.xml);
    const type = component.type.name;
    if (type === 'FlexiPage') {
      const page = xml.parse(fs.readFileSync(component.xml, 'utf8')).FlexiPage ?? {};
      for (const region of page.flexiPageRegions ?? []) {
        for (const item of region.itemInstances ?? []) {
          const name = String(item.componentInstance?.componentName ?? '');
          // Unprefixed or c: names are this org's own components; others are Salesforce's.
          const local = name.startsWith('c:') ? name.slice(2) : name.includes(':') ? null : name;
          if (!local) continue;
          const bundle = sources.find(
            (c) => c.type.name === 'LightningComponentBundle' && c.fullName === local,
          );
          if (!bundle && !has('AuraDefinitionBundle', local)) {
            problems.push(`${where}: uses component "${name}", which is not in the package`);
          } else if (bundle?.xml && page.type === 'UtilityBar') {
            // App Builder only offers, and the API only accepts, exposed utility-bar targets.
            const meta = fs.readFileSync(bundle.xml, 'utf8');
            if (!/<isExposed>\s*true\s*<\/isExposed>/.test(meta)) {
              problems.push(
                `${path.relative(root, bundle.xml)}: isExposed must be true for ${where}`,
              );
            }
            if (!meta.includes('<target>lightning__UtilityBar</target>')) {
              problems.push(
                `${path.relative(root, bundle.xml)}: needs target lightning__UtilityBar for ${where}`,
              );
            }
          }
        }
      }
    }
    if (type === 'PermissionSet') {
      const set = xml.parse(fs.readFileSync(component.xml, 'utf8')).PermissionSet ?? {};
      for (const access of set.classAccesses ?? []) {
        if (!has('ApexClass', String(access.apexClass))) {
          problems.push(`${where}: grants Apex class ${access.apexClass}, not in the package`);
        }
      }
      for (const access of set.customPermissions ?? []) {
        if (!has('CustomPermission', String(access.name))) {
          problems.push(`${where}: grants custom permission ${access.name}, not in the package`);
        }
      }
      for (const access of set.customSettingAccesses ?? []) {
        if (!has('CustomObject', String(access.name))) {
          problems.push(`${where}: grants custom setting ${access.name}, not in the package`);
        }
      }
    }
  }
  return problems;
}

/**
 * Custom Labels: every label a component imports (@salesforce/label/c.Name) exists — the
 * platform would refuse the deploy — and every translation names existing labels and
 * translates all of them, so no user of a shipped language meets an English string.
 * @param {string[]} allFiles every file of the package directories
 * @param {string} root
 * @returns {string[]}
 */
export function checkLabels(allFiles, root) {
  /** @param {string} file @param {string} list */
  const parse = (file, list) =>
    new XMLParser({ isArray: (name) => name === list, parseTagValue: false }).parse(
      fs.readFileSync(file, 'utf8'),
    );
  const defined = new Set(
    allFiles
      .filter((file) => file.endsWith('.labels-meta.xml'))
      .flatMap((file) => parse(file, 'labels').CustomLabels?.labels ?? [])
      .map((/** @type {{ fullName: string }} */ label) => String(label.fullName)),
  );
  /** @type {string[]} */
  const problems = [];
  const compiled = allFiles.filter(
    (file) => /[\\/]lwc[\\/]/.test(file) && file.endsWith('.js') && !/__tests__/.test(file),
  );
  for (const file of compiled) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [, name] of text.matchAll(/['"]@salesforce\/label\/c\.(\w+)['"]/g)) {
      if (!defined.has(String(name)))
        problems.push(
          `${path.relative(root, file)}: imports c.${name}, which is not a Custom Label`,
        );
    }
  }
  for (const file of allFiles.filter((f) => f.endsWith('.translation-meta.xml'))) {
    const where = path.relative(root, file);
    const entries = parse(file, 'customLabels').Translations?.customLabels ?? [];
    const translated = new Set(entries.map((/** @type {{ name: string }} */ e) => String(e.name)));
    for (const name of translated)
      if (!defined.has(name))
        problems.push(`${where}: translates ${name}, which is not a Custom Label`);
    for (const name of defined)
      if (!translated.has(name)) problems.push(`${where}: does not translate Custom Label ${name}`);
  }
  return problems;
}

/**
 * Runs every check. Never throws for a problem in the project: problems are returned.
 * @param {CheckOptions} [options]
 * @returns {Promise<CheckResult>}
 */
export async function checkPackage(options = {}) {
  const root = path.resolve(options.project ?? REPO_ROOT);
  /** @type {string[]} */
  const problems = [];
  const projectFile = path.join(root, 'sfdx-project.json');
  if (!fs.existsSync(projectFile)) {
    return {
      problems: [`${projectFile}: not found (not an SFDX project)`],
      components: [],
      packageXml: null,
    };
  }
  /** @type {{ packageDirectories: { path: string }[] }} */
  const project = JSON.parse(fs.readFileSync(projectFile, 'utf8'));
  const packageDirs = project.packageDirectories.map((dir) => path.join(root, dir.path));
  const allFiles = packageDirs.flatMap(walk);

  // 1. Apex syntax.
  problems.push(
    ...parseApex(
      allFiles.filter((f) => f.endsWith('.cls') || f.endsWith('.trigger')),
      root,
    ),
  );

  // 2. Recognition by Salesforce's own resolver.
  const { ComponentSet, ForceIgnore, MetadataConverter } = loadSourceDeployRetrieve();
  /** @type {any} */
  let set;
  try {
    set = ComponentSet.fromSource(packageDirs);
  } catch (error) {
    problems.push(`source-deploy-retrieve cannot read the project: ${String(error)}`);
    return { problems, components: [], packageXml: null };
  }
  /** @type {any[]} */
  const sources = set.getSourceComponents().toArray();
  const covered = new Set();
  for (const component of sources) {
    for (const c of [component, ...component.getChildren()]) {
      if (c.xml) covered.add(c.xml);
      for (const file of c.content ? c.walkContent() : []) covered.add(file);
    }
    if (!component.xml) {
      const where = path.relative(root, component.content ?? component.fullName);
      problems.push(
        `${where}: resolved as ${component.type.name} "${component.fullName}" but has no -meta.xml; ` +
          'move it out of the package directory or add it to .forceignore',
      );
    }
  }
  const forceIgnore = ForceIgnore.findAndCreate(root);
  for (const file of allFiles) {
    if (forceIgnore.denies(file) || covered.has(file)) continue;
    problems.push(`${path.relative(root, file)}: not part of any recognized metadata component`);
  }

  // LWC bundles deploy as JavaScript: the TypeScript must have been compiled next to it.
  for (const bundle of sources.filter((c) => c.type.name === 'LightningComponentBundle')) {
    const main = path.join(bundle.content, `${bundle.fullName}.js`);
    if (!fs.existsSync(main)) {
      const hasTs = fs.existsSync(path.join(bundle.content, `${bundle.fullName}.ts`));
      problems.push(
        `${path.relative(root, main)}: missing` +
          (hasTs ? ' (compile the TypeScript first: npm run build:lwc)' : ''),
      );
    }
  }

  /** @param {string} type @param {string} name */
  const has = (type, name) => sources.some((c) => c.type.name === type && c.fullName === name);
  problems.push(...checkReferences(sources, has, root));
  problems.push(...checkLabels(allFiles, root));

  // 3. Convert to a metadata-API package and inspect what would be deployed.
  const output = options.output
    ? path.resolve(options.output)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-package-'));
  /** @type {string | null} */
  let packageXml = null;
  try {
    fs.rmSync(output, { recursive: true, force: true });
    await new MetadataConverter().convert(set, 'metadata', {
      type: 'directory',
      outputDirectory: output,
      genUniqueDir: false,
    });
    const converted = walk(output);
    for (const file of converted) {
      const relative = path.relative(output, file);
      if (/\.ts$|(^|[\\/])__tests__[\\/]|tsconfig[^\\/]*\.json$|jsconfig\.json$/.test(relative)) {
        problems.push(`package contains ${relative}: keep it out with .forceignore`);
      }
      // The components share the protocol's types with the bridge through `import type`,
      // which compiles away; nothing outside force-app may reach the org.
      const bundle = /^lwc[\\/]([^\\/]+)[\\/].*\.js$/.exec(relative);
      if (bundle) {
        const bundleDir = path.join(output, 'lwc', bundle[1]);
        const text = fs.readFileSync(file, 'utf8');
        for (const specifier of relativeImports(text)) {
          const target = path.resolve(path.dirname(file), specifier);
          if (!target.startsWith(bundleDir + path.sep))
            problems.push(`${relative} imports ${specifier}, outside its bundle`);
        }
        for (const { line, literal } of numericSeparators(text))
          problems.push(
            `${relative}:${line}: numeric separator ${literal}, which Salesforce's LWC compiler refuses: write ${literal.replace(/_/g, '')}`,
          );
      }
    }
    for (const bundle of sources.filter((c) => c.type.name === 'LightningComponentBundle')) {
      const main = path.join(output, 'lwc', bundle.fullName, `${bundle.fullName}.js`);
      if (
        fs.existsSync(path.join(bundle.content, `${bundle.fullName}.js`)) &&
        !fs.existsSync(main)
      ) {
        problems.push(`package is missing lwc/${bundle.fullName}/${bundle.fullName}.js`);
      }
    }
    packageXml = fs.readFileSync(path.join(output, 'package.xml'), 'utf8');
  } catch (error) {
    problems.push(`conversion to a metadata package failed: ${String(error)}`);
  } finally {
    if (!options.output) fs.rmSync(output, { recursive: true, force: true });
  }

  // 4. The committed manifest is what admins deploy with: it must match the package.
  if (packageXml) {
    const manifestPath = path.join(root, MANIFEST);
    if (options.writeManifest) {
      fs.mkdirSync(path.dirname(manifestPath), { recursive: true });
      fs.writeFileSync(manifestPath, packageXml);
    } else if (!fs.existsSync(manifestPath)) {
      problems.push(`${MANIFEST}: not found (create it with --write-manifest)`);
    } else {
      const drift = compareManifests(packageXml, fs.readFileSync(manifestPath, 'utf8'));
      if (drift.length > 0) drift.push(`${MANIFEST}: regenerate with --write-manifest`);
      problems.push(...drift);
    }
  }

  /** @type {ComponentName[]} */
  const components = set
    .toArray()
    .map((/** @type {any} */ c) => ({ type: c.type.name, fullName: c.fullName }))
    .sort(
      (/** @type {ComponentName} */ a, /** @type {ComponentName} */ b) =>
        a.type.localeCompare(b.type) || a.fullName.localeCompare(b.fullName),
    );
  return { problems, components, packageXml };
}

/** @param {string[]} argv @returns {CheckOptions} */
function parseArgs(argv) {
  /** @type {CheckOptions} */
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--project') options.project = argv[++i];
    else if (arg === '--output') options.output = argv[++i];
    else if (arg === '--write-manifest') options.writeManifest = true;
    else throw new Error(`unknown argument ${arg}; see the header of scripts/check-package.mjs`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { problems, components } = await checkPackage(options);
  for (const { type, fullName } of components) process.stdout.write(`  ${type} ${fullName}\n`);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${problem}\n`);
    process.stderr.write(`check-package: ${problems.length} problem(s)\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`check-package: OK, ${components.length} components\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    process.stderr.write(`check-package: ${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  });
}
