import { unavailableSlot } from '../unavailable-slot.ts';

/** CIBA handler. */
export const cibaHandler = unavailableSlot({
  name: 'cibaHandler',
  title: 'CIBA handler',
  reason: 'the CIBA grant is not built yet',
  idempotent: false,
});
