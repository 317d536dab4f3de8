// The bridge's configuration: one zod schema, the single source of the keys, their defaults
// and the checks that turn a misconfiguration into a message naming the key.
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { DEFAULT_DENIED_PREFIXES, DENIABLE_NUMBER_TYPES } from '../phone/dial-policy';
import { CALL_CONTROL_ACTIONS, type CallControlAction } from '../protocol/v1';

const secret = (what: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `${what} is required`
          : // YAML reads 0123 or 1.50 as a number, and a number is not the secret as written.
            `${what} must be text: put it in quotes in YAML ("0123", not 0123)`,
    })
    // Keys pasted from a browser often carry a stray space or newline: the classic failure.
    .trim()
    .min(1, `${what} is empty`);

const origin = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.origin === value.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'must be an origin such as https://acme.lightning.force.com (scheme and host, no path)')
  .transform((value) => value.replace(/\/$/, ''));

const orgId = z
  .string()
  .trim()
  .regex(/^00D[a-zA-Z0-9]{15}$/, 'must be an 18-character Salesforce org id starting with 00D');

/** The host of a URL, or '' when it is none. */
function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : '';
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const loginUrl = z
  .string()
  .trim()
  .pipe(z.url('must be a URL such as https://acme.my.salesforce.com'))
  .superRefine((value, ctx) => {
    // zod runs this even when the value is no URL (z.url has already said so).
    const host = hostOf(value);
    if (host.endsWith('.lightning.force.com')) {
      ctx.addIssue({
        code: 'custom',
        message:
          `${host} is the Lightning UI host; the API lives on My Domain: ` +
          `use https://${host.replace(/\.lightning\.force\.com$/, '.my.salesforce.com')}`,
      });
    } else if (host.endsWith('.my.salesforce-setup.com')) {
      ctx.addIssue({
        code: 'custom',
        message: `${host} is the Setup host; use https://${host.replace(/\.my\.salesforce-setup\.com$/, '.my.salesforce.com')}`,
      });
    }
  })
  .transform((value) => value.replace(/\/+$/, ''));

export const ServerSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(8443),
    host: z.string().default('0.0.0.0'),
    /** The URL reps' browsers use (wss://…); shown in the logs and the status page. */
    publicUrl: z.url().optional(),
    tls: z.object({ certFile: z.string(), keyFile: z.string() }).strict().optional(),
    /** Browser origins allowed to open the WebSocket: the org's Lightning and My Domain hosts. */
    allowedOrigins: z.array(origin).default([]),
    heartbeatSeconds: z.number().positive().default(30),
    helloTimeoutSeconds: z.number().positive().default(10),
    /** Bearer token for /admin/* (status, parked call logs). Without it those routes are off. */
    adminToken: secret('server.adminToken').optional(),
  })
  .strict();

export const AuthSchema = z
  .object({
    /** The org certificate (PEM text, or a path to the .crt downloaded from Setup). */
    certificate: z.string().trim().min(1).optional(),
    /** Orgs whose tokens are accepted; defaults to the connected org's id. */
    orgIds: z.array(orgId).optional(),
    audience: z.string().default('switchboard-bridge'),
    maxTokenLifetimeSeconds: z.number().int().positive().max(300).default(300),
    clockToleranceSeconds: z.number().int().min(0).max(120).default(30),
  })
  .strict();

export const SalesforceSchema = z
  .object({
    /** Run the emulated org in-process, seeded from this JSON file ("demo" = built-in sample data). */
    emulate: z.string().trim().min(1).optional(),
    loginUrl: loginUrl.optional(),
    flow: z.enum(['client_credentials', 'jwt_bearer']).default('client_credentials'),
    clientId: secret('salesforce.clientId').optional(),
    clientSecret: secret('salesforce.clientSecret').optional(),
    /** JWT bearer flow: the integration user's username and the private key (PEM file). */
    username: z.string().trim().optional(),
    privateKeyFile: z.string().trim().optional(),
    apiVersion: z
      .string()
      .regex(/^\d{2,3}\.0$/, 'must look like 62.0')
      .default('62.0'),
  })
  .strict()
  .superRefine((sf, ctx) => {
    if (sf.emulate !== undefined) return;
    if (sf.loginUrl === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['loginUrl'],
        message: 'is required (or set salesforce.emulate)',
      });
    if (sf.clientId === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['clientId'],
        message: 'is required: the consumer key of the External Client App',
      });
    if (sf.flow === 'client_credentials' && sf.clientSecret === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['clientSecret'],
        message: 'is required for the client_credentials flow',
      });
    const host = sf.loginUrl === undefined ? '' : hostOf(sf.loginUrl);
    if (
      sf.flow === 'client_credentials' &&
      (host === 'login.salesforce.com' || host === 'test.salesforce.com')
    )
      ctx.addIssue({
        code: 'custom',
        path: ['loginUrl'],
        message: `is ${host}, where the client credentials flow answers "request not supported on this domain": use the My Domain URL, https://<domain>.my.salesforce.com`,
      });
    if (sf.flow === 'jwt_bearer') {
      if (sf.username === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['username'],
          message: 'is required for the jwt_bearer flow',
        });
      if (sf.privateKeyFile === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['privateKeyFile'],
          message: 'is required for the jwt_bearer flow',
        });
    }
  });

export const DialPolicySchema = z
  .object({
    /** ISO countries reps may call, e.g. [US, CA]; empty: all. */
    allowedCountries: z
      .array(
        z
          .string()
          .trim()
          .toUpperCase()
          .regex(/^[A-Z]{2}$/, 'must be two-letter country codes such as US or DE'),
      )
      .default([]),
    /** E.164 prefixes never dialed; replaces the built-in list when given. */
    deniedPrefixes: z
      .array(
        z
          .string()
          .trim()
          .regex(/^\+[1-9]\d{0,14}$/, 'must be E.164 prefixes such as "+1900" (a + and digits)'),
      )
      .default([...DEFAULT_DENIED_PREFIXES]),
    /** Number types never dialed. */
    deniedTypes: z.array(z.enum(DENIABLE_NUMBER_TYPES)).default(['premium-rate']),
    /** Letters in a number: convert per the phone keypad (E.161), or refuse the number. */
    letters: z.enum(['convert', 'refuse']).default('convert'),
  })
  .strict();

export const PhoneSchema = z
  .object({
    /** ISO 3166 country for numbers written without a country code, e.g. DE or US. */
    defaultCountry: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US or DE')
      // Two letters are not yet a country: "UK" (for GB) or "EU" left numbers unparsed and the
      // national dial format sent "0+1415…" to the PBX.
      .refine(isSupportedCountry, 'is not an ISO 3166 country code (the United Kingdom is GB)')
      .default('US'),
    /** Numbers with at most this many digits are internal extensions: no lookup. */
    internalMaxDigits: z.number().int().min(1).max(8).default(6),
    /** Dial-out format the PBX expects: E.164 (+4971…) or national with an outside-line prefix. */
    dialFormat: z.enum(['e164', 'national']).default('e164'),
    outsideLinePrefix: z
      .string()
      .regex(/^[0-9*#]*$/)
      .default(''),
    /** Which numbers reps may dial (click-to-dial, later transfers): phone/dial-policy.ts. */
    dialPolicy: DialPolicySchema.default(DialPolicySchema.parse({})),
  })
  .strict();

export const LookupSchema = z
  .object({
    cacheTtlSeconds: z.number().min(0).default(60),
    /** How far back the fallback query looks for records the search index may not have yet. */
    recentWindowMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(30),
    maxMatches: z.number().int().min(1).max(50).default(10),
  })
  .strict();

export const SimulatorSchema = z
  .object({
    /** Seconds between simulated calls; 0 = only calls triggered through the demo API. */
    intervalSeconds: z.number().min(0).default(8),
  })
  .strict();

export const WebhookSchema = z
  .object({
    token: secret('pbx.webhook.token'),
    dialUrl: z.url().optional(),
    dialToken: secret('pbx.webhook.dialToken').optional(),
    dialTimeoutMs: z.number().int().positive().default(5000),
    /** Where the bridge POSTs a rep's presence and queue pause (docs/webhook.md); unset: none. */
    presenceUrl: z.url().optional(),
    /** Where call controls are POSTed (docs/webhook.md); without it none is offered. */
    controlUrl: z.url().optional(),
    /** The controls that endpoint does; default all. */
    controls: z
      .array(z.enum(CALL_CONTROL_ACTIONS as [CallControlAction, ...CallControlAction[]]))
      .optional(),
  })
  .strict();

/** The presence states a rep can set (protocol v1 PresenceState). */
export const PRESENCE_STATES = ['available', 'dnd', 'away'] as const;

/** What the utility offers, whatever the PBX (docs/presence.md). */
export const PresenceSchema = z
  .object({
    /** The states reps may choose (those the PBX can express); [] turns presence off. */
    states: z
      .array(z.enum(PRESENCE_STATES))
      .default([...PRESENCE_STATES])
      .refine((states) => new Set(states).size === states.length, 'lists a state twice')
      .refine(
        (states) => states.length === 0 || states.includes('available'),
        'must include available (or be empty): a rep must be able to come back',
      ),
    /** Whether reps may pause and resume their queue membership from the utility. */
    queuePause: z.boolean().default(true),
    /** Reasons offered for a queue pause (the PBX records the reason, e.g. PausedReason). */
    pauseReasons: z
      .array(
        z
          .string()
          .trim()
          .min(1)
          .max(40)
          .regex(/^[^\r\n,|]+$/, 'must be one line without , or |'),
      )
      .max(20)
      .default(['Break', 'Lunch', 'Meeting', 'Training']),
  })
  .strict();

/** Asterisk's PRESENCE_STATE values (main/presencestate.c). */
export const ASTERISK_PRESENCE_VALUES = [
  'not_set',
  'unavailable',
  'available',
  'away',
  'xa',
  'chat',
  'dnd',
] as const;
/** Asterisk's DEVICE_STATE values for a Custom: device (main/devicestate.c). */
export const ASTERISK_DEVICE_STATES = [
  'UNKNOWN',
  'NOT_INUSE',
  'INUSE',
  'BUSY',
  'INVALID',
  'UNAVAILABLE',
  'RINGING',
  'RINGINUSE',
  'ONHOLD',
] as const;

/** A name with {extension} in it, e.g. Custom:DND{extension}; '' turns that means off. */
const perExtension = (example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => value === '' || (value.includes('{extension}') && /^[^\s,]+$/.test(value)),
      `must contain {extension} and no spaces or commas, e.g. ${example} (or be '' to leave it out)`,
    );

/** How one state is written to Asterisk, and recognised when read back. */
const AsteriskStateMapping = z
  .object({
    /** The PRESENCE_STATE value written to `presentity`. */
    presence: z.enum(ASTERISK_PRESENCE_VALUES),
    /** The DEVICE_STATE written to `dndDevice`. */
    device: z.enum(ASTERISK_DEVICE_STATES),
  })
  .strict();

/** How presence is expressed on Asterisk (docs/asterisk.md, "Presence"). */
export const AsteriskPresenceSchema = z
  .object({
    /** A custom device state per rep that means DND (FreePBX: Custom:DND{extension}); '' = none. */
    dndDevice: perExtension('Custom:DND{extension}').default('Custom:DND{extension}'),
    /** A custom presence provider per rep (CustomPresence:{extension}); '' = none. */
    presentity: perExtension('CustomPresence:{extension}').default('CustomPresence:{extension}'),
    /** AstDB family FreePBX's *76 DND reads (DND/<ext> = YES); '' = none. Needs write = system. */
    astdbFamily: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{0,64}$/, 'must be an AstDB family such as DND (no / or spaces)')
      .default(''),
    /** How each state is written; a state is recognised when read back by the same values. */
    states: z
      .object({
        available: AsteriskStateMapping.default({ presence: 'available', device: 'NOT_INUSE' }),
        dnd: AsteriskStateMapping.default({ presence: 'dnd', device: 'BUSY' }),
        away: AsteriskStateMapping.default({ presence: 'away', device: 'NOT_INUSE' }),
      })
      .strict()
      .default({
        available: { presence: 'available', device: 'NOT_INUSE' },
        dnd: { presence: 'dnd', device: 'BUSY' },
        away: { presence: 'away', device: 'NOT_INUSE' },
      })
      .refine(
        (states) =>
          new Set(Object.values(states).map((s) => `${s.presence}/${s.device}`)).size === 3,
        'gives two states the same presence and device values: they could not be told apart',
      ),
    /** The queue member interface QueuePause names; default <endpointTechnology>/{extension}. */
    queueInterface: perExtension('PJSIP/{extension}').optional(),
    /** Queues to pause in; [] = every queue the rep is a member of. */
    queues: z
      .array(
        z
          .string()
          .trim()
          .regex(/^[^\s,|]+$/, 'must be queue names'),
      )
      .default([]),
  })
  .strict();

export const AsteriskSchema = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535).default(5038),
    username: z.string().trim().min(1),
    secret: secret('pbx.asterisk.secret'),
    /** Dialplan context where click-to-dial numbers are dialed. */
    originateContext: z.string().default('from-internal'),
    /** Channel technology of reps' phones, used to ring the rep first: PJSIP/201. */
    endpointTechnology: z.string().default('PJSIP'),
    /** Ceiling of the AMI reconnect backoff: the longest the bridge stays blind after the PBX is back. */
    reconnectMaxSeconds: z.number().positive().max(300).default(5),
    keepaliveSeconds: z.number().positive().default(20),
    /** How long the rep's phone rings for a click-to-dial before Asterisk gives up. */
    originateTimeoutSeconds: z.number().int().min(5).max(300).default(30),
    /** Which channel names are reps' phones: PJSIP/<this>-…, Local/<this>@ctx-…;1 (a regex). */
    extensionPattern: z
      .string()
      .default('^[0-9]{2,6}$')
      .refine((value) => {
        try {
          new RegExp(value);
          return true;
        } catch {
          return false;
        }
      }, 'must be a regular expression such as ^[0-9]{3,4}$'),
    /** Dialplan contexts of trunks: Local channels into these are never a rep's phone. */
    trunkContexts: z.array(z.string().trim().min(1)).default(['from-trunk', 'from-pstn']),
    /** Read extension ↔ email from voicemail.conf (VoicemailUsersList) as well as from `users`. */
    usersFromVoicemail: z.boolean().default(true),
    /** How the reps' presence and queue pause are expressed on this PBX. */
    presence: AsteriskPresenceSchema.default(AsteriskPresenceSchema.parse({})),
  })
  .strict();

export const PbxSchema = z
  .object({
    adapter: z.enum(['simulator', 'webhook', 'asterisk']).default('simulator'),
    simulator: SimulatorSchema.default({ intervalSeconds: 8 }),
    webhook: WebhookSchema.optional(),
    asterisk: AsteriskSchema.optional(),
    /** What reps may set of their presence from the utility (any adapter). */
    presence: PresenceSchema.default(PresenceSchema.parse({})),
  })
  .strict()
  .superRefine((pbx, ctx) => {
    if (pbx.adapter === 'webhook' && pbx.webhook === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['webhook'],
        message: 'is required when pbx.adapter is webhook (set at least token)',
      });
    if (pbx.adapter === 'asterisk' && pbx.asterisk === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['asterisk'],
        message: 'is required when pbx.adapter is asterisk (host, username, secret)',
      });
  });

export const UserMappingSchema = z
  .object({
    extension: z
      .union([z.string(), z.number()])
      .transform(String)
      .pipe(z.string().regex(/^[0-9A-Za-z*#]{1,20}$/, 'must be an extension such as 201')),
    email: z.string().trim().pipe(z.email('must be an email address')),
  })
  .strict();

/** Placeholders the call-log subject template may use (docs/call-logging.md). */
export const CALL_LOG_SUBJECT_PLACEHOLDERS = [
  'direction',
  'number',
  'name',
  'extension',
  'duration',
  'result',
  'date',
] as const;

/** A postgres:// or postgresql:// URL, without the password when `password` gives it. */
const postgresUrl = z
  .string({ error: 'storage.postgres.url is required: postgresql://user@host:5432/database' })
  .trim()
  .refine(
    (value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol),
    'must be a PostgreSQL connection URL such as postgresql://switchboard@db.acme.internal:5432/switchboard',
  );

/**
 * Shared storage for several bridges: the call-log outbox, the notes typed during calls, the
 * directory index, the identity replay cache, messages between bridges and their locks live in
 * PostgreSQL. Calls under way stay in each bridge's SQLite file (docs/deployment.md).
 */
export const PostgresSchema = z
  .object({
    url: postgresUrl,
    /** Kept out of the URL and the file: SWITCHBOARD__STORAGE__POSTGRES__PASSWORD. */
    password: secret('storage.postgres.password').optional(),
    /** Connections each bridge keeps open. */
    poolSize: z.number().int().min(2).max(100).default(10),
  })
  .strict()
  .superRefine((pg, ctx) => {
    if (pg.password !== undefined && URL.canParse(pg.url) && new URL(pg.url).password !== '')
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message:
          'is set and storage.postgres.url also carries a password: keep it in one place ' +
          '(SWITCHBOARD__STORAGE__POSTGRES__PASSWORD, not the URL)',
      });
  });

export const StorageSchema = z
  .object({
    /** The embedded SQLite database file (used when storage.postgres is not set). */
    database: z.string().trim().min(1).default('switchboard.db'),
    postgres: PostgresSchema.optional(),
  })
  .strict();

export const CallLogSchema = z
  .object({
    enabled: z.boolean().default(true),
    callTypes: z
      .array(z.enum(['inbound', 'outbound', 'internal']))
      .default(['inbound', 'outbound']),
    subjectTemplate: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .default('{direction} call {number}')
      .superRefine((template, ctx) => {
        const known: readonly string[] = CALL_LOG_SUBJECT_PLACEHOLDERS;
        for (const [, name] of template.matchAll(/\{([^{}]*)\}/g))
          if (name === undefined || !known.includes(name))
            ctx.addIssue({
              code: 'custom',
              message: `unknown placeholder {${name ?? ''}}; use ${known.map((k) => `{${k}}`).join(', ')}`,
            });
      }),
    /** Inbound calls nobody answered: a Task marked missed, an open call-back Task, or nothing. */
    missedCalls: z.enum(['log', 'callback-task', 'skip']).default('log'),
    /** How long after hang-up a rep may still add notes and a disposition. */
    noteGraceSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(300),
    /** IANA time zone for the Task's ActivityDate (the call's start date there). */
    timeZone: z
      .string()
      .trim()
      .default('UTC')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-CA', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as UTC or America/New_York'),
    /**
     * The org's own Task values where an admin renamed them; unset, they come from the org
     * (TaskStatus rows, Task.Priority's default).
     */
    taskValues: z
      .object({
        /** Status of a logged call (a closed status). */
        closedStatus: z.string().trim().min(1).optional(),
        /** Status of a call-back Task (an open status). */
        openStatus: z.string().trim().min(1).optional(),
        priority: z.string().trim().min(1).optional(),
      })
      .strict()
      .default({}),
    retry: z
      .object({
        baseSeconds: z.number().positive().default(5),
        maxSeconds: z.number().positive().default(300),
      })
      .strict()
      .refine((r) => r.maxSeconds >= r.baseSeconds, 'maxSeconds must be at least baseSeconds')
      .default({ baseSeconds: 5, maxSeconds: 300 }),
  })
  .strict();

/** Objects the directory index covers (docs/directory.md). */
export const DIRECTORY_OBJECTS = ['Contact', 'Lead', 'Account'] as const;

const apiFieldName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a field API name such as Direct_Phone__c');

/** How numbers are written as AstDB keys; must match what CALLERID(num) holds (docs/directory.md). */
export const ASTDB_KEY_FORMATS = ['e164', 'national', 'digits'] as const;

export const AstDbSchema = z
  .object({
    /** Push caller names into Asterisk's database over AMI (needs pbx.adapter asterisk). */
    enabled: z.boolean().default(false),
    /** The AstDB family the dialplan reads: ${DB(cidname/${CALLERID(num)})}. */
    family: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be an AstDB family such as cidname (no / or spaces)')
      .default('cidname'),
    /** e164 +4971311234567, digits 4971311234567, national 07131123456 (from phone.defaultCountry). */
    keyFormat: z.enum(ASTDB_KEY_FORMATS).default('e164'),
    /** Names are cut to this many characters (desk phone displays are narrow). */
    maxNameLength: z.number().int().min(1).max(100).default(40),
    /** DBPut/DBDel actions per second at most, so a first push of 100k numbers does not flood AMI. */
    actionsPerSecond: z.number().int().min(1).max(500).default(50),
  })
  .strict();

export const DirectorySchema = z
  .object({
    /**
     * Keep a local index of every phone number in Salesforce and answer lookups from it. Unset:
     * on where the index outlives the process (a storage.database file, or storage.postgres),
     * off for `:memory:` storage, which would reload the whole org at every start
     * (directoryIndexByDefault; ConfigSchema fills it in).
     */
    enabled: z.boolean().optional(),
    /**
     * Seconds between incremental syncs (changes by SystemModstamp, then deletions). At least
     * 120: getDeleted answers only for windows longer than one minute.
     */
    syncIntervalSeconds: z
      .number()
      .int()
      .min(
        120,
        'must be at least 120: Salesforce reports deletions (getDeleted) only for windows over a minute',
      )
      .max(24 * 3600)
      .default(300),
    objects: z
      .array(z.enum(DIRECTORY_OBJECTS))
      .min(1)
      .default([...DIRECTORY_OBJECTS]),
    /** Extra phone fields per object, e.g. { Contact: [Direct_Phone__c] }. */
    customPhoneFields: z
      .object({
        Contact: z.array(apiFieldName).default([]),
        Lead: z.array(apiFieldName).default([]),
        Account: z.array(apiFieldName).default([]),
      })
      .strict()
      .default({ Contact: [], Lead: [], Account: [] }),
    /** Person Account phones: auto = index them when the org has Person Accounts. */
    personAccounts: z.enum(['auto', 'on', 'off']).default('auto'),
    /** Objects with more records than this are loaded through Bulk API 2.0. */
    bulkThreshold: z.number().int().min(0).default(20000),
    phonebook: z
      .object({
        /** Bearer token PBXes and desk phones use for the phonebook and caller-name endpoints. */
        token: secret('directory.phonebook.token').optional(),
      })
      .strict()
      .default({}),
    astdb: AstDbSchema.default(AstDbSchema.parse({})),
  })
  .strict();

export const ConfigSchema = z
  .object({
    server: ServerSchema.default(ServerSchema.parse({})),
    auth: AuthSchema.default(AuthSchema.parse({})),
    salesforce: SalesforceSchema,
    phone: PhoneSchema.default(PhoneSchema.parse({})),
    lookup: LookupSchema.default(LookupSchema.parse({})),
    pbx: PbxSchema.default(PbxSchema.parse({})),
    users: z.array(UserMappingSchema).default([]),
    storage: StorageSchema.default(StorageSchema.parse({})),
    callLog: CallLogSchema.default(CallLogSchema.parse({})),
    directory: DirectorySchema.default(DirectorySchema.parse({})),
    log: z
      .object({
        level: z.enum(LOG_LEVELS).default('info'),
        /** json or pretty; unset: pretty for the demo at a terminal, json otherwise. */
        format: z.enum(['json', 'pretty']).optional(),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.salesforce.emulate === undefined && config.pbx.adapter === 'simulator')
      ctx.addIssue({
        code: 'custom',
        path: ['pbx', 'adapter'],
        message:
          'is simulator (the default), which rings made-up calls and would log them as Tasks in ' +
          'a real org: set asterisk or webhook (the simulator runs only with salesforce.emulate)',
      });
    if (config.salesforce.emulate !== undefined && config.salesforce.loginUrl !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['salesforce', 'emulate'],
        message:
          'and salesforce.loginUrl are both set: emulate runs a pretend org and ignores the real ' +
          'one; remove one of them',
      });
    if (config.salesforce.emulate === undefined && config.auth.certificate === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'certificate'],
        message:
          'is required: the Switchboard_Bridge certificate downloaded from Setup › Certificate and Key Management',
      });
    if (config.directory.astdb.enabled) {
      if (config.pbx.adapter !== 'asterisk')
        ctx.addIssue({
          code: 'custom',
          path: ['directory', 'astdb', 'enabled'],
          message: `needs pbx.adapter asterisk (it is ${config.pbx.adapter}): names are pushed over AMI`,
        });
      if (!(config.directory.enabled ?? directoryIndexByDefault(config.storage)))
        ctx.addIssue({
          code: 'custom',
          path: ['directory', 'astdb', 'enabled'],
          message:
            'needs directory.enabled: true (the names come from the directory index, off by default for :memory: storage)',
        });
    }
    const seen = new Map<string, string>();
    config.users.forEach((user, index) => {
      const previous = seen.get(user.extension);
      if (previous !== undefined && previous !== user.email.toLowerCase())
        ctx.addIssue({
          code: 'custom',
          path: ['users', index, 'extension'],
          message: `extension ${user.extension} is mapped twice`,
        });
      seen.set(user.extension, user.email.toLowerCase());
    });
  })
  .transform((config) => ({
    ...config,
    directory: {
      ...config.directory,
      enabled: config.directory.enabled ?? directoryIndexByDefault(config.storage),
    },
  }));

/**
 * Whether the directory index is on when the config does not say: where storage lasts (a file,
 * PostgreSQL) the index is loaded once and kept, and answers every ring without an API call.
 */
export function directoryIndexByDefault(storage: {
  database: string;
  postgres?: unknown;
}): boolean {
  return storage.postgres !== undefined || storage.database !== ':memory:';
}

export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type PhoneConfig = Config['phone'];
export type ServerConfig = Config['server'];
export type AuthConfig = Config['auth'];
export type SalesforceConfig = Config['salesforce'];
export type PbxConfig = Config['pbx'];
export type LookupConfig = Config['lookup'];
export type StorageConfig = Config['storage'];
export type PostgresConfig = NonNullable<StorageConfig['postgres']>;
export type CallLogConfig = Config['callLog'];
export type DirectoryConfig = Config['directory'];
export type AstDbConfig = DirectoryConfig['astdb'];
export type PresenceConfig = PbxConfig['presence'];

/** The directory section parsed on its own (tests, the directory bench); unset enabled is on. */
export function parseDirectoryConfig(input: z.input<typeof DirectorySchema>): DirectoryConfig {
  const parsed = DirectorySchema.parse(input);
  return { ...parsed, enabled: parsed.enabled ?? true };
}
