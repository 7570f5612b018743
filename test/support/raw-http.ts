import { connect } from 'node:net';

export interface RawAnswer {
  /** The final status; 0 when the server closed the connection without an answer. */
  status: number;
  /** Every status line's code, in order (interim 1xx, answers to bytes read as a further request). */
  statuses: number[];
  /** The whole answer as text (head and body). */
  text: string;
  /** The connection was still open after `timeoutMs` (then destroyed). */
  timedOut: boolean;
}

/**
 * One HTTP exchange over a fresh TCP connection: `request` goes out byte for
 * byte (no client-side checks or normalisation), the answer is read until
 * the server closes or `timeoutMs` passes (send `Connection: close`).
 */
export function rawExchange(port: number, request: Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server may close while the request is still being written (an early 413): read what came.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ status: statuses.find((s) => s >= 200) ?? 0, statuses, text, timedOut });
    });
    socket.write(request);
  });
}
