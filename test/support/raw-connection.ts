import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string /** Header names as sent, in order (lower case). */;
  names: string[];
}

/** A raw HTTP/1.1 connection: bytes out exactly as given, responses read one at a time. */
export class RawConnection {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  closed = false;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    this.socket.on('error', () => undefined);
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  async ready(): Promise<void> {
    if (!this.socket.connecting) return;
    await new Promise((resolve) => this.socket.once('connect', resolve));
  }

  send(text: string): void {
    this.socket.write(Buffer.from(text, 'utf8'));
  }

  /** The next complete response (Content-Length framed, as every answer here is). */
  async response(timeoutMs = 10_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const headEnd = this.#buffer.indexOf('\r\n\r\n');
      if (headEnd >= 0) {
        const lines = this.#buffer.toString('latin1', 0, headEnd).split('\r\n');
        const headers: Record<string, string> = {};
        const names: string[] = [];
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          names.push(line.slice(0, colon).toLowerCase());
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (this.#buffer.length >= headEnd + 4 + length) {
          const body = this.#buffer.toString('utf8', headEnd + 4, headEnd + 4 + length);
          this.#buffer = this.#buffer.subarray(headEnd + 4 + length);
          return { status: Number(lines[0]!.split(' ')[1]), headers, body, names };
        }
      }
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.#buffer.toString('latin1'))}`);
      if (Date.now() > deadline) throw new Error('no response in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async untilClosed(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }
}

/** A fresh raw connection to 127.0.0.1:`port`, connected. */
export async function openRaw(port: number): Promise<RawConnection> {
  const connection = new RawConnection(port);
  await connection.ready();
  return connection;
}
