// A load balancer for tests: a TCP proxy on 127.0.0.1 that hands each new connection to the
// next backend in turn (round robin, no stickiness) and pipes bytes both ways, so HTTP and
// WebSocket upgrades pass through unchanged. A backend that refuses the connection (a dead
// bridge) is skipped for the next one, as a balancer's failed health check or
// `proxy_next_upstream error` would; when a backend dies, its clients' connections are closed.
import net from 'node:net';

export interface ProxiedConnection {
  /** The client's port as the proxy sees it (the client's local port). */
  clientPort: number;
  /** Index of the backend (in the list given to start) that took the connection. */
  backend: number;
}

export class RoundRobinProxy {
  readonly connections: ProxiedConnection[] = [];
  private next = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly backends: readonly number[],
  ) {}

  /** Listens on a free port in front of the backends' ports. */
  static async start(backendPorts: readonly number[]): Promise<RoundRobinProxy> {
    const server = net.createServer();
    const proxy = new RoundRobinProxy(server, backendPorts);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${String(this.port)}/ws`;
  }

  /** The backend that took the client connection from `clientPort`. */
  backendOf(clientPort: number | undefined): number | undefined {
    return this.connections.findLast((c) => c.clientPort === clientPort)?.backend;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: net.Socket): void {
    this.track(client);
    client.pause(); // hold the client's first bytes until a backend is connected
    client.on('error', () => undefined);
    this.connect(client, 0);
  }

  /** Tries the next backend; after every one refused, closes the client (a 502 in effect). */
  private connect(client: net.Socket, tried: number): void {
    if (tried >= this.backends.length || client.destroyed) {
      client.destroy();
      return;
    }
    const index = this.next % this.backends.length;
    this.next += 1;
    const upstream = net.connect(this.backends[index] as number, '127.0.0.1');
    this.track(upstream);
    let connected = false;
    upstream.on('error', () => {
      if (connected) client.destroy();
      else this.connect(client, tried + 1); // refused: this backend is down
    });
    upstream.once('connect', () => {
      connected = true;
      this.connections.push({ clientPort: client.remotePort ?? 0, backend: index });
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.resume();
    });
  }
}
