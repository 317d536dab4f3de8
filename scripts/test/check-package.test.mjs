// Tests for scripts/check-package.mjs against small throwaway SFDX projects: a good one passes,
// and each kind of breakage the check exists for is reported. Run: node --test scripts/test/
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPackage, parseApex } from '../check-package.mjs';

const API = '62.0';
const temporaryDirs = /** @type {string[]} */ ([]);

/** @param {string} root @param {Record<string, string>} files relative path -> content */
function writeFiles(root, files) {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/**
 * A minimal project shaped like this repo: one Apex class, a TypeScript LWC compiled to .js with
 * a jest test, a permission set granting the class, and the repo's own .forceignore.
 * @param {Record<string, string | null>} [changes] files to add/replace, or null to delete
 */
async function project(changes = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-package-test-'));
  temporaryDirs.push(root);
  const base = 'force-app/main/default';
  writeFiles(root, {
    'sfdx-project.json': JSON.stringify({
      packageDirectories: [{ path: 'force-app', default: true }],
      sourceApiVersion: API,
    }),
    '.forceignore': fs.readFileSync(new URL('../../.forceignore', import.meta.url), 'utf8'),
    [`${base}/classes/Hello.cls`]:
      "public with sharing class Hello {\n  public static String hi() {\n    return 'hi';\n  }\n}\n",
    [`${base}/classes/Hello.cls-meta.xml`]: `<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>${API}</apiVersion><status>Active</status></ApexClass>\n`,
    [`${base}/lwc/hello/hello.ts`]:
      "import { LightningElement } from 'lwc';\nexport default class Hello extends LightningElement {}\n",
    [`${base}/lwc/hello/hello.js`]:
      "import { LightningElement } from 'lwc';\nexport default class Hello extends LightningElement {}\n",
    [`${base}/lwc/hello/hello.html`]: '<template><p>hi</p></template>\n',
    [`${base}/lwc/hello/hello.js-meta.xml`]: `<?xml version="1.0" encoding="UTF-8"?>\n<LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>${API}</apiVersion><isExposed>true</isExposed><targets><target>lightning__UtilityBar</target></targets></LightningComponentBundle>\n`,
    [`${base}/lwc/hello/__tests__/hello.test.ts`]: "it('renders', () => {});\n",
    [`${base}/lwc/tsconfig.json`]: '{}\n',
    [`${base}/permissionsets/Hello_User.permissionset-meta.xml`]: `<?xml version="1.0" encoding="UTF-8"?>\n<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata"><classAccesses><apexClass>Hello</apexClass><enabled>true</enabled></classAccesses><label>Hello User</label></PermissionSet>\n`,
  });
  // The committed manifest of a good project is what the converter generates.
  const { packageXml } = await checkPackage({ project: root, writeManifest: true });
  assert.ok(packageXml, 'the fixture project converts');
  for (const [relative, content] of Object.entries(changes)) {
    const file = path.join(root, relative);
    if (content === null) fs.rmSync(file);
    else writeFiles(root, { [relative]: content });
  }
  return root;
}

after(() => {
  for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('check-package', () => {
  it('passes a good project and ships compiled JavaScript only', async () => {
    const root = await project();
    const output = path.join(root, 'converted');

    const { problems, components } = await checkPackage({ project: root, output });

    assert.deepEqual(problems, []);
    assert.deepEqual(components, [
      { type: 'ApexClass', fullName: 'Hello' },
      { type: 'LightningComponentBundle', fullName: 'hello' },
      { type: 'PermissionSet', fullName: 'Hello_User' },
    ]);
    const shipped = fs.readdirSync(path.join(output, 'lwc', 'hello')).sort();
    assert.deepEqual(shipped, ['hello.html', 'hello.js', 'hello.js-meta.xml']);
  });

  it('reports an Apex syntax error as file:line:col', async () => {
    const root = await project({
      'force-app/main/default/classes/Hello.cls':
        "public with sharing class Hello {\n  public static String hi() {\n    return 'hi'\n  }\n}\n",
    });

    const { problems } = await checkPackage({ project: root });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0] ?? '',
      /^force-app\/main\/default\/classes\/Hello\.cls:4:\d+ Apex syntax error/,
    );
  });

  it('parses triggers with the trigger grammar', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-package-trigger-'));
    temporaryDirs.push(dir);
    const trigger = path.join(dir, 'T.trigger');
    fs.writeFileSync(trigger, 'trigger T on Account (before insert) { }\n');

    assert.deepEqual(parseApex([trigger], dir), []);
  });

  it('asks for npm run build:lwc when a bundle has no compiled .js', async () => {
    const root = await project({ 'force-app/main/default/lwc/hello/hello.js': null });

    const { problems } = await checkPackage({ project: root });

    assert.ok(
      problems.some((p) => p.includes('hello.js: missing') && p.includes('npm run build:lwc')),
      problems.join('\n'),
    );
  });

  it('reports a file no metadata type claims', async () => {
    const root = await project({ 'force-app/main/default/lwc/stray.txt': 'notes\n' });

    const { problems } = await checkPackage({ project: root });

    assert.ok(
      problems.some((p) => p.includes('stray.txt')),
      problems.join('\n'),
    );
  });

  it('reports TypeScript that .forceignore no longer keeps out', async () => {
    const root = await project({ '.forceignore': '**/__tests__/**\n**/tsconfig*.json\n' });

    const { problems } = await checkPackage({ project: root });

    assert.ok(
      problems.some((p) => p.includes('package contains lwc/hello/hello.ts')),
      problems.join('\n'),
    );
  });

  it('reports a compiled component that imports a file outside its bundle', async () => {
    // What tsc would leave behind if the protocol's types were imported without `import type`.
    const root = await project({
      'force-app/main/default/lwc/hello/hello.js':
        "import { CloseCodes } from '../../../../../bridge/src/protocol/v1';\n" +
        "import { helper } from './helper';\nexport default class Hello {}\n",
      'force-app/main/default/lwc/hello/helper.js': 'export const helper = 1;\n',
    });

    const { problems } = await checkPackage({ project: root });

    assert.deepEqual(problems, [
      'lwc/hello/hello.js imports ../../../../../bridge/src/protocol/v1, outside its bundle',
    ]);
  });

  it('reports a numeric separator in a compiled component, not in its strings or comments', async () => {
    const root = await project({
      'force-app/main/default/lwc/hello/hello.js':
        "// retry after 1_000 ms\nconst label = 'call 10_000';\n" +
        'export const TIMEOUT_MS = 30_000;\nexport default class Hello {}\n',
    });

    const { problems } = await checkPackage({ project: root });

    assert.deepEqual(problems, [
      "lwc/hello/hello.js:3: numeric separator 30_000, which Salesforce's LWC compiler refuses: write 30000",
    ]);
  });

  it('reports a manifest that does not match the package', async () => {
    const root = await project({
      'force-app/main/default/classes/Extra.cls': 'public with sharing class Extra {}\n',
      'force-app/main/default/classes/Extra.cls-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>${API}</apiVersion><status>Active</status></ApexClass>\n`,
    });

    const { problems } = await checkPackage({ project: root });

    assert.ok(
      problems.includes('manifest/package.xml: missing ApexClass Extra'),
      problems.join('\n'),
    );
  });

  it('reports a permission set granting a class that is not in the package', async () => {
    const root = await project({ 'force-app/main/default/classes/Hello.cls': null });
    fs.rmSync(path.join(root, 'force-app/main/default/classes/Hello.cls-meta.xml'));

    const { problems } = await checkPackage({ project: root });

    assert.ok(
      problems.some((p) => p.includes('grants Apex class Hello, not in the package')),
      problems.join('\n'),
    );
  });

  describe('Custom Labels', () => {
    const base = 'force-app/main/default';
    /** @param {string[]} names */
    const labels = (names) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">${names
        .map(
          (name) =>
            `<labels><fullName>${name}</fullName><language>en_US</language><protected>false</protected><shortDescription>${name}</shortDescription><value>Hi</value></labels>`,
        )
        .join('')}</CustomLabels>\n`;
    /** @param {string[]} names */
    const german = (names) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<Translations xmlns="http://soap.sforce.com/2006/04/metadata">${names
        .map((name) => `<customLabels><label>Hallo</label><name>${name}</name></customLabels>`)
        .join('')}</Translations>\n`;
    const usingLabel = (name) =>
      `import { LightningElement } from 'lwc';\nimport hi from '@salesforce/label/c.${name}';\nexport default class Hello extends LightningElement {\n  hi = hi;\n}\n`;
    const labelProblems = async (changes) =>
      (await checkPackage({ project: await project(changes) })).problems.filter(
        (problem) => !problem.startsWith('manifest/'),
      );

    it('passes labels that exist and are translated', async () => {
      const problems = await labelProblems({
        [`${base}/labels/CustomLabels.labels-meta.xml`]: labels(['Hello_Hi']),
        [`${base}/translations/de.translation-meta.xml`]: german(['Hello_Hi']),
        [`${base}/lwc/hello/hello.js`]: usingLabel('Hello_Hi'),
      });
      assert.deepEqual(problems, []);
    });

    it('reports a component importing a label that does not exist', async () => {
      const problems = await labelProblems({
        [`${base}/labels/CustomLabels.labels-meta.xml`]: labels(['Hello_Hi']),
        [`${base}/lwc/hello/hello.js`]: usingLabel('Hello_Bye'),
      });
      assert.deepEqual(problems, [
        'force-app/main/default/lwc/hello/hello.js: imports c.Hello_Bye, which is not a Custom Label',
      ]);
    });

    it('reports a label a translation misses, and one it translates that does not exist', async () => {
      const problems = await labelProblems({
        [`${base}/labels/CustomLabels.labels-meta.xml`]: labels(['Hello_Hi', 'Hello_Bye']),
        [`${base}/translations/de.translation-meta.xml`]: german(['Hello_Hi', 'Hello_Gone']),
      });
      assert.deepEqual(problems.sort(), [
        'force-app/main/default/translations/de.translation-meta.xml: does not translate Custom Label Hello_Bye',
        'force-app/main/default/translations/de.translation-meta.xml: translates Hello_Gone, which is not a Custom Label',
      ]);
    });
  });
});
