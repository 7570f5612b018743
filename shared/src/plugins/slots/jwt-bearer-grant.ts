import { unavailableSlot } from '../unavailable-slot.ts';

/** JWT bearer assertion grant handler. */
export const jwtBearerGrant = unavailableSlot({
  name: 'jwtBearerGrant',
  title: 'JWT bearer assertion grant handler',
  reason: 'the grant runs without a handler: a handler slot is not built yet',
  idempotent: true,
});
