// The directory for the PBX and its phones, over HTTP: address-book exports (vCard 3.0/4.0,
// CSV, Yealink and Cisco XML) and a caller-name lookup for PBX caller-ID sources (FreePBX's
// HTTP CID source, Asterisk's CURL()). Everything is answered from the local index: a PBX
// asking on every call costs no Salesforce request. Numbers are data the admin asked to export;
// they are never logged here.
import express from 'express';
import type { PhoneConfig } from '../config/schema';
import type { DirectoryIndexStore, PhonebookEntry } from '../directory/index/directory-index';
import { rankMatches } from '../directory/rank-matches';
import { ErrorCodes, SwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import { normalizeNumber } from '../phone/phone-number';
import {
  CSV_HEADER,
  ciscoEntries,
  csvRows,
  vcard,
  xmlText,
  yealinkEntry,
} from './phonebook-formats';
import { bearerToken, secretMatcher } from '../http/bearer-token';

export interface PhonebookRouterOptions {
  index: DirectoryIndexStore;
  /** directory.phonebook.token; without it every request is refused (503). */
  token: string | undefined;
  phone: PhoneConfig;
  logger: Logger;
}

/** Records read from the database per chunk while streaming an export. */
const CHUNK = 1000;
/** Cisco phones show at most 32 entries per directory page. */
const CISCO_PAGE = 32;

/**
 * Routes (mount at /): GET /directory/phonebook.vcf[?version=4.0], /directory/phonebook.csv,
 * /directory/phonebook/yealink.xml, /directory/phonebook/cisco.xml[?page=N],
 * /directory/caller-name?number=…[&format=json].
 */
export function createPhonebookRouter(options: PhonebookRouterOptions): express.Router {
  const { index, logger } = options;
  const router = express.Router();
  const tokenMatches = options.token === undefined ? undefined : secretMatcher(options.token);

  router.use('/directory', (req, res, next) => {
    if (tokenMatches === undefined) {
      next(
        new SwitchboardError(
          ErrorCodes.PHONEBOOK_NOT_CONFIGURED,
          'The phonebook is not configured',
          { status: 503, hint: 'Set directory.phonebook.token in the bridge configuration.' },
        ),
      );
      return;
    }
    if (!tokenMatches(presentedToken(req))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="switchboard-phonebook"');
      next(
        new SwitchboardError(
          ErrorCodes.PHONEBOOK_UNAUTHORIZED,
          'Missing or wrong phonebook token',
          {
            status: 401,
            hint: 'Send Authorization: Bearer <directory.phonebook.token>, HTTP Basic auth with the token as password, or ?token= for phones that can do neither.',
          },
        ),
      );
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get('/directory/caller-name', async (req, res) => {
    const number = typeof req.query.number === 'string' ? req.query.number : '';
    const normalized = normalizeNumber(number, {
      defaultCountry: options.phone.defaultCountry,
      internalMaxDigits: options.phone.internalMaxDigits,
    });
    if (normalized.e164 === null && !normalized.withheld && !normalized.internal && number !== '')
      throw new SwitchboardError(ErrorCodes.PHONEBOOK_BAD_REQUEST, 'number is not a phone number', {
        status: 400,
        hint: 'Pass the caller id as ?number=, e.g. ?number=%2B4971311234567 or ?number=07131123456.',
      });
    const best =
      normalized.e164 === null
        ? undefined
        : rankMatches(await index.find(normalized.e164), { max: 1 })[0];
    if (req.query.format === 'json') {
      res.json(
        best === undefined
          ? { found: false }
          : { found: true, name: best.name, id: best.id, object: best.object },
      );
      return;
    }
    // Plain text, empty when unknown: what FreePBX's HTTP source and CURL() put into the CID name.
    res.type('text/plain; charset=utf-8').send(best?.name ?? '');
  });

  router.get('/directory/phonebook.vcf', async (req, res) => {
    const version = req.query.version === '4.0' || req.query.version === '4' ? '4.0' : '3.0';
    res.type('text/vcard; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="salesforce.vcf"');
    await stream(res, index, '', (entry) => vcard(entry, version));
  });

  router.get('/directory/phonebook.csv', async (_req, res) => {
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="salesforce.csv"');
    await stream(res, index, CSV_HEADER, csvRows);
  });

  router.get('/directory/phonebook/yealink.xml', async (_req, res) => {
    res.type('application/xml; charset=utf-8');
    await stream(
      res,
      index,
      '<?xml version="1.0" encoding="UTF-8"?>\n<YealinkIPPhoneDirectory>\n',
      yealinkEntry,
      '</YealinkIPPhoneDirectory>\n',
    );
  });

  router.get('/directory/phonebook/cisco.xml', async (req, res) => {
    const page = Math.max(
      1,
      Number.parseInt(typeof req.query.page === 'string' ? req.query.page : '1', 10) || 1,
    );
    // Cisco pages by entry; walk records until the page is filled (numbers per record vary).
    const entries: string[] = [];
    let skipped = 0;
    let after = '';
    let more = false;
    outer: for (;;) {
      const chunk = await index.page(after, CHUNK);
      if (chunk.length === 0) break;
      for (const entry of chunk) {
        after = entry.id;
        for (const xml of ciscoEntries(entry)
          .split('\n')
          .filter((l) => l !== '')) {
          if (skipped < (page - 1) * CISCO_PAGE) {
            skipped++;
            continue;
          }
          if (entries.length === CISCO_PAGE) {
            more = true;
            break outer;
          }
          entries.push(xml);
        }
      }
    }
    const next = new URL(req.originalUrl, 'http://bridge.invalid');
    next.searchParams.set('page', String(page + 1));
    const softKeys = more
      ? `<SoftKeyItem><Name>Next</Name><URL>${xmlText(`${req.protocol}://${req.get('host') ?? ''}${next.pathname}${next.search}`)}</URL><Position>1</Position></SoftKeyItem>`
      : '';
    res
      .type('text/xml; charset=utf-8')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<CiscoIPPhoneDirectory><Title>Salesforce</Title><Prompt>Page ${page}</Prompt>\n${entries.join('\n')}${entries.length > 0 ? '\n' : ''}${softKeys}</CiscoIPPhoneDirectory>\n`,
      );
  });

  logger.debug('phonebook routes ready');
  return router;
}

/** Bearer header, Basic auth (token as password, any user) or ?token=. */
function presentedToken(req: express.Request): string | undefined {
  const bearer = bearerToken(req.headers);
  if (bearer !== undefined) return bearer;
  const header = req.headers.authorization ?? '';
  const basic = /^Basic[ ]+(\S+)\s*$/i.exec(header);
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return typeof req.query.token === 'string' && req.query.token !== ''
    ? req.query.token
    : undefined;
}

/** Writes the export chunk by chunk, honouring back-pressure; stops if the client goes away. */
async function stream(
  res: express.Response,
  index: DirectoryIndexStore,
  head: string,
  render: (entry: PhonebookEntry) => string,
  tail = '',
): Promise<void> {
  const client = { gone: false };
  res.on('close', () => {
    client.gone = true;
  });
  res.status(200);
  await write(res, head);
  let after = '';
  while (!client.gone) {
    const chunk = await index.page(after, CHUNK);
    if (chunk.length === 0) break;
    after = chunk[chunk.length - 1]?.id ?? after;
    await write(res, chunk.map(render).join(''));
  }
  res.end(tail);
}

function write(res: express.Response, text: string): Promise<void> {
  if (text === '' || res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
