import { HttpError } from '@tessera/shared/http/errors';
import type { CoreRequest } from './core-request.ts';
import { nodeRoute } from './route.ts';
import { step } from './step.ts';

/** What the pipeline runs for a path no route matches, so policies see those requests too. */
export const NOT_FOUND_ROUTE = nodeRoute<object>({
  name: 'not-found',
  method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  // The metrics label of every unmatched request (raw paths would let anyone mint label values).
  path: 'unmatched',
  steps: [
    step<object, CoreRequest>('notFound', (x) => {
      throw new HttpError(404, 'not_found', `No resource at ${x.request.method} ${x.request.path}`);
    }),
  ],
});
