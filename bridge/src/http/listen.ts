// Opens the bridge's one HTTP(S) port for the express app (and, attached later, the WebSocket
// hub): TLS when server.tls is set, the URLs the bridge is reachable at, and a close that also
// ends kept-alive connections so a stop does not wait for idle browsers.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { ServerConfig } from '../config/schema';
import { readPemSetting } from '../config/pem-setting';
import { ErrorCodes, SwitchboardError } from '../errors';

export interface ListeningServer {
  server: http.Server;
  port: number;
  scheme: 'http' | 'https';
  /** http(s)://host:port, with a wildcard host shown as 127.0.0.1. */
  httpUrl: string;
  /** ws(s)://host:port/ws */
  wsUrl: string;
  close(): Promise<void>;
}

export async function listen(
  app: RequestListener,
  config: Pick<ServerConfig, 'tls' | 'port' | 'host'>,
): Promise<ListeningServer> {
  const server = config.tls
    ? https.createServer(
        {
          cert: readPemSetting(config.tls.certFile, 'server.tls.certFile'),
          key: readPemSetting(config.tls.keyFile, 'server.tls.keyFile'),
        },
        app,
      )
    : http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    const refused = (error: Error) => reject(listenError(error, config));
    server.once('error', refused);
    server.listen(config.port, config.host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = config.tls ? 'https' : 'http';
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return {
    server,
    port,
    scheme,
    httpUrl: `${scheme}://${host}:${port}`,
    wsUrl: `${config.tls ? 'wss' : 'ws'}://${host}:${port}/ws`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The port or address cannot be had: say which key to change, not a raw errno and stack. */
function listenError(error: Error, config: Pick<ServerConfig, 'port' | 'host'>): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `server.port ${config.port} on ${config.host}`;
  const reasons: Record<string, { message: string; hint: string }> = {
    EADDRINUSE: {
      message: `${where} is in use by another program`,
      hint:
        'Stop the other program (perhaps another bridge: `ss -ltnp` shows who holds the port) ' +
        'or set server.port to a free port, and the Bridge URL in Salesforce to match.',
    },
    EACCES: {
      message: `${where} needs privileges this process does not have`,
      hint: 'Ports below 1024 need root or CAP_NET_BIND_SERVICE: set server.port to 1024 or above (e.g. 8443).',
    },
    EADDRNOTAVAIL: {
      message: `server.host ${config.host} is not an address of this machine`,
      hint: 'Set server.host to one of its addresses, or 0.0.0.0 for all of them.',
    },
  };
  const reason = code === undefined ? undefined : reasons[code];
  if (reason === undefined) return error;
  return new SwitchboardError(ErrorCodes.HTTP_PORT_UNAVAILABLE, reason.message, {
    hint: reason.hint,
    details: { errno: code },
  });
}
