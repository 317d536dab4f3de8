// Step "Browser access" (docs/install.md steps 5, 6 and 8): the bridge as a browser in the org
// sees it. The org's Lightning origin is in server.allowedOrigins; the Bridge URL (server.publicUrl,
// and the org's own Switchboard Settings where the integration user may read them) is wss://; its
// TLS certificate is one a browser accepts for that host; and a WebSocket opened there from the
// Lightning origin reaches a bridge that lets it in. The CSP Trusted Site is compared where the
// API shows it.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import WebSocket from 'ws';
import { readPemSetting } from '../../config/pem-setting';
import type { ServerConfig } from '../../config/schema';
import type { SalesforceGateway } from '../../salesforce/gateway';
import { soql } from '../../salesforce/query-builder';
import type { CheckContext } from '../check-context';
import type { CheckProblem } from '../check-report';
import type { CheckStep, StepFindings } from '../run-checks';

/** What the package's CSP Trusted Site and Bridge URL hold until the admin sets them. */
const PLACEHOLDER_HOST = 'bridge.example.com';
const TRUSTED_SITE = 'Switchboard_Bridge';
/** How long the probe waits for a refusal after the socket opened. */
const REFUSAL_WAIT_MS = 1500;

export const browserAccessStep: CheckStep = {
  id: 'browser-access',
  title: 'Browser access',
  guide: 'docs/install.md steps 5, 6 and 8',
  keys: ['server.port', 'server.host', 'server.tls', 'server.publicUrl', 'server.allowedOrigins'],
  needs: [],
  run: async (ctx: CheckContext): Promise<StepFindings> => {
    const config = ctx.config;
    if (config === undefined) throw new Error('no configuration');
    const server = config.server;
    if (config.salesforce.emulate !== undefined && server.publicUrl === undefined)
      return { summary: 'demo: the page is served by the bridge itself, from its own origin' };

    const problems: CheckProblem[] = [];
    const warnings: CheckProblem[] = [];
    const notes: string[] = [];
    const lightning = lightningOrigin(ctx.org?.instanceUrl ?? config.salesforce.loginUrl);
    if (server.allowedOrigins.length === 0)
      problems.push({
        message: 'server.allowedOrigins is empty: the bridge lets no browser in.',
        fix: `Add the org's Lightning origin${lightning === undefined ? '' : `, ${lightning}`} (docs/install.md step 8).`,
      });
    else if (lightning !== undefined && !server.allowedOrigins.includes(lightning))
      problems.push({
        message: `Browsers in the org open the socket from ${lightning}, which server.allowedOrigins lacks (${server.allowedOrigins.join(', ')}).`,
        fix: `Add ${lightning} to server.allowedOrigins, exactly, without a path (docs/install.md step 8).`,
      });

    const gateway = ctx.passed('salesforce-login') ? await ctx.gateway() : undefined;
    const orgUrl = gateway === undefined ? undefined : await orgBridgeUrl(gateway, ctx.org?.orgId);
    const bridgeUrl = server.publicUrl ?? orgUrl?.url;
    if (orgUrl === undefined)
      notes.push("the org's Bridge URL setting is not visible to the integration user");
    else if (orgUrl.url === undefined || orgUrl.url === '' || orgUrl.url.includes(PLACEHOLDER_HOST))
      problems.push({
        message: `The org's Switchboard Settings have no Bridge URL${orgUrl.url ? ` (still ${orgUrl.url})` : ''}: the utility does not know where to connect.`,
        fix: `Set Bridge URL in Setup › Custom Settings › Switchboard Settings › Manage to ${server.publicUrl ?? 'wss://<bridge host>:<port>/ws'} (docs/install.md step 6).`,
      });
    else if (server.publicUrl !== undefined && !sameUrl(orgUrl.url, server.publicUrl))
      problems.push({
        message: `The org sends browsers to ${orgUrl.url}, but this bridge's server.publicUrl is ${server.publicUrl}.`,
        fix: 'Make the Bridge URL setting (docs/install.md step 6) and server.publicUrl the same URL.',
      });

    if (bridgeUrl === undefined) {
      warnings.push({
        message:
          'server.publicUrl is not set, so the bridge cannot be looked at the way a browser sees it.',
        fix: 'Set server.publicUrl to the wss://…/ws URL of the Bridge URL setting.',
      });
      return { summary: summarize(notes, 'no Bridge URL to look at'), problems, warnings };
    }

    const url = new URL(bridgeUrl);
    if (url.protocol !== 'wss:')
      problems.push({
        message: `The Bridge URL ${bridgeUrl} is not wss://: a Lightning page (https) may not open an unencrypted socket.`,
        fix: 'Serve TLS (server.tls, or a TLS proxy in front of the bridge) and use wss:// in server.publicUrl and the Bridge URL setting.',
      });
    if (url.pathname !== '/ws')
      warnings.push({
        message: `The Bridge URL's path is ${url.pathname}; the bridge serves the socket at /ws.`,
        fix: 'Use …/ws, unless a proxy in front maps this path to the bridge’s /ws.',
      });
    if (server.tls !== undefined)
      problems.push(...tlsProblems(server.tls, url.hostname, ctx.now()));
    if (gateway !== undefined) {
      const site = await trustedSite(gateway);
      if (site === undefined)
        notes.push('the CSP Trusted Site is not visible to the integration user');
      else problems.push(...siteProblems(site, url));
    }

    const probe = await probeAsBrowser(
      bridgeUrl,
      lightning ?? server.allowedOrigins[0],
      ctx.trustedCa,
    );
    if (probe.kind === 'accepted')
      notes.unshift(`a browser at ${probe.origin ?? 'no origin'} reaches ${bridgeUrl}`);
    else if (probe.kind === 'unreachable' && !ctx.bridgeRunning)
      warnings.push({
        message: `Nothing answers at ${bridgeUrl} yet (${probe.reason}).`,
        fix: 'Start the bridge: it runs this check at start, and then looks at the Bridge URL itself.',
      });
    else problems.push(probeProblem(probe, bridgeUrl));
    return { summary: summarize(notes, `Bridge URL ${bridgeUrl}`), problems, warnings };
  },
};

/** https://acme.lightning.force.com for https://acme.my.salesforce.com (sandboxes alike). */
export function lightningOrigin(apiUrl: string | undefined): string | undefined {
  if (apiUrl === undefined) return undefined;
  const host = new URL(apiUrl).hostname;
  const match = /^(.+)\.my\.salesforce\.com$/.exec(host);
  return match?.[1] === undefined ? undefined : `https://${match[1]}.lightning.force.com`;
}

function summarize(notes: readonly string[], lead: string): string {
  return [lead, ...notes].join('; ');
}

function sameUrl(a: string, b: string): boolean {
  return a.trim().replace(/\/+$/, '').toLowerCase() === b.trim().replace(/\/+$/, '').toLowerCase();
}

async function orgBridgeUrl(
  gateway: SalesforceGateway,
  orgId: string | undefined,
): Promise<{ url: string | undefined } | undefined> {
  if (orgId === undefined) return undefined;
  try {
    const [row] = await gateway.query(
      soql`SELECT Bridge_URL__c FROM Switchboard_Settings__c WHERE SetupOwnerId = ${orgId}`,
    );
    return { url: typeof row?.Bridge_URL__c === 'string' ? row.Bridge_URL__c : undefined };
  } catch {
    return undefined;
  }
}

interface TrustedSite {
  endpointUrl: string;
  active: boolean;
  connectSrc: boolean;
}

async function trustedSite(gateway: SalesforceGateway): Promise<TrustedSite | undefined> {
  try {
    const [row] = await gateway.query(
      soql`SELECT EndpointUrl, IsActive, IsApplicableToConnectSrc FROM CspTrustedSite WHERE DeveloperName = ${TRUSTED_SITE}`,
    );
    if (row === undefined) return { endpointUrl: '', active: false, connectSrc: false };
    return {
      endpointUrl: typeof row.EndpointUrl === 'string' ? row.EndpointUrl : '',
      active: row.IsActive === true,
      connectSrc: row.IsApplicableToConnectSrc === true,
    };
  } catch {
    return undefined;
  }
}

function siteProblems(site: TrustedSite, bridge: URL): CheckProblem[] {
  const fix = `Set the CSP Trusted Site ${TRUSTED_SITE} to ${bridge.origin}, active, with connect-src (docs/install.md step 5).`;
  if (site.endpointUrl === '')
    return [
      {
        message: `The org has no CSP Trusted Site ${TRUSTED_SITE}: Lightning blocks the socket.`,
        fix,
      },
    ];
  if (site.endpointUrl.includes(PLACEHOLDER_HOST))
    return [
      {
        message: `The CSP Trusted Site ${TRUSTED_SITE} is still the placeholder ${site.endpointUrl}.`,
        fix,
      },
    ];
  if (!sameUrl(new URL(site.endpointUrl).origin, bridge.origin))
    return [
      {
        message: `The CSP Trusted Site ${TRUSTED_SITE} allows ${site.endpointUrl}, not the Bridge URL's ${bridge.origin}.`,
        fix,
      },
    ];
  if (!site.active || !site.connectSrc)
    return [
      {
        message: `The CSP Trusted Site ${TRUSTED_SITE} is ${site.active ? 'active' : 'inactive'}${site.connectSrc ? '' : ' and lacks connect-src'}.`,
        fix,
      },
    ];
  return [];
}

/** What a browser would refuse in the certificate the bridge serves itself. */
function tlsProblems(
  tls: NonNullable<ServerConfig['tls']>,
  host: string,
  now: Date,
): CheckProblem[] {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(readPemSetting(tls.certFile, 'server.tls.certFile'));
  } catch (error) {
    return [
      {
        message: `server.tls.certFile cannot be read as a PEM certificate: ${error instanceof Error ? error.message : String(error)}`,
        fix: 'Point it at the full chain (leaf first) in PEM, e.g. fullchain.pem.',
      },
    ];
  }
  const problems: CheckProblem[] = [];
  const renew = 'Renew it (your CA, or certbot renew) and restart the bridge.';
  if (new Date(certificate.validTo).getTime() < now.getTime())
    problems.push({
      message: `The TLS certificate expired on ${certificate.validTo}.`,
      fix: renew,
    });
  if (certificate.checkHost(host) === undefined && certificate.checkIP(host) === undefined)
    problems.push({
      message: `The TLS certificate is for ${certificate.subjectAltName ?? certificate.subject}, not ${host}: browsers refuse it.`,
      fix: `Use a certificate whose names include ${host}, or a Bridge URL with a host it names.`,
    });
  if (certificate.issuer === certificate.subject && certificate.verify(certificate.publicKey))
    problems.push({
      message: 'The TLS certificate is self-signed: browsers in the org refuse it.',
      fix: 'Use a certificate from a CA the browsers trust (a public CA, or your company CA deployed to them).',
    });
  try {
    if (
      !certificate.checkPrivateKey(
        createPrivateKey(readPemSetting(tls.keyFile, 'server.tls.keyFile')),
      )
    )
      problems.push({
        message: 'server.tls.keyFile is not the key of server.tls.certFile.',
        fix: 'Give the key that belongs to the certificate (privkey.pem next to fullchain.pem).',
      });
  } catch (error) {
    problems.push({
      message: `server.tls.keyFile cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'Point it at the PEM private key of the certificate, readable by the bridge user.',
    });
  }
  return problems;
}

type Probe =
  | { kind: 'accepted'; origin: string | undefined }
  | { kind: 'refused-origin'; origin: string | undefined }
  | { kind: 'tls'; reason: string }
  | { kind: 'http'; status: number }
  | { kind: 'unreachable'; reason: string };

/** Opens the socket as a page at `origin` would, and waits to see whether the bridge keeps it. */
function probeAsBrowser(
  url: string,
  origin: string | undefined,
  ca: string[] | undefined,
): Promise<Probe> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (probe: Probe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      resolve(probe);
    };
    const socket = new WebSocket(url, {
      ...(origin === undefined ? {} : { origin }),
      ...(ca === undefined ? {} : { ca }),
      handshakeTimeout: 5000,
    });
    let timer: NodeJS.Timeout | undefined;
    let opened = false;
    socket.on('open', () => {
      opened = true;
      timer = setTimeout(() => done({ kind: 'accepted', origin }), REFUSAL_WAIT_MS);
    });
    socket.on('close', (code) => {
      if (code === 4403) done({ kind: 'refused-origin', origin });
      else
        done(
          opened ? { kind: 'accepted', origin } : { kind: 'unreachable', reason: `closed ${code}` },
        );
    });
    socket.on('unexpected-response', (_request, response) => {
      done({ kind: 'http', status: response.statusCode ?? 0 });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      const tls = /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
      done(
        tls
          ? { kind: 'tls', reason: `${code}: ${error.message}` }
          : { kind: 'unreachable', reason: code || error.message },
      );
    });
  });
}

function probeProblem(probe: Exclude<Probe, { kind: 'accepted' }>, url: string): CheckProblem {
  switch (probe.kind) {
    case 'refused-origin':
      return {
        message: `The bridge at ${url} refuses browsers from ${probe.origin ?? 'no origin'} (close 4403).`,
        fix: 'The Bridge URL reaches a bridge with other server.allowedOrigins: check the URL, the proxy, and that bridge’s configuration.',
      };
    case 'tls':
      return {
        message: `A browser would refuse the TLS certificate at ${url} (${probe.reason}).`,
        fix: 'Serve a certificate from a CA browsers trust, for the Bridge URL’s host, with its intermediate chain.',
      };
    case 'http':
      return {
        message: `${url} answered HTTP ${probe.status}, not a WebSocket.`,
        fix: 'The proxy in front must forward /ws to the bridge with the Upgrade and Connection headers.',
      };
    case 'unreachable':
      return {
        message: `${url} does not reach this bridge (${probe.reason}).`,
        fix: 'Check DNS, the firewall and any proxy between browsers and the bridge, and server.port.',
      };
  }
}
