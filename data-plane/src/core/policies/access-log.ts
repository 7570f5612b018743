import { type AccessEntry, type AccessLog, roundMs } from '@tessera/shared/observability/access-log';
import type { CoreAnswer } from '../core-answer.ts';
import type { Policy } from '../policy.ts';

/**
 * One line per answered request (shared/src/observability/access-log.ts),
 * errors always, successes by sample: written once the answer is sent, so
 * its duration and size are what the client got. Nothing of the request but
 * its method, route name, tenant (resolved only) and client address.
 */
export function accessLog(log: AccessLog): Policy {
  return {
    name: 'accessLog',
    after(x, answer) {
      if (!log.wanted(answer.status)) return;
      const { request } = x;
      const entry: AccessEntry = {
        reqId: request.id,
        tenant: request.tenant?.tenant.tid,
        route: x.route.name,
        method: request.method,
        status: answer.status,
        ms: 0,
        bytes: undefined,
        ip: request.ip,
      };
      if (request.onSent === undefined) {
        entry.ms = roundMs(performance.now() - request.receivedAt);
        entry.bytes = bodyBytes(answer);
        log.write(entry);
        return;
      }
      request.onSent((bytes) => {
        entry.ms = roundMs(performance.now() - request.receivedAt);
        entry.bytes = bytes;
        log.write(entry);
      });
    },
  };
}

/** The body's size where the answer holds it as text (a JSON body is serialised later, by the transport). */
function bodyBytes(answer: CoreAnswer): number | undefined {
  if (answer.kind === 'html') return Buffer.byteLength(answer.html);
  if (answer.kind === 'text') return Buffer.byteLength(answer.text);
  if (answer.kind === 'json') return undefined;
  return 0;
}
