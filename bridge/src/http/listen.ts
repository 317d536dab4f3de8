// Opens the bridge's one HTTP(S) port for the express app (and, attached later, the WebSocket
// hub): TLS when server.tls is set, the URLs the bridge is reachable at, and a close that also
// ends kept-alive connections so a stop does not wait for idle browsers.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { ServerConfig } from '../config/schema';
import { readPemSetting } from '../config/pem-setting';

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
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
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
