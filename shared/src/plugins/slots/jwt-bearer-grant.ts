import { unavailableSlot } from '../unavailable-slot.ts';

/** JWT bearer assertion grant handler. */
export const jwtBearerGrant = unavailableSlot({
  name: 'jwtBearerGrant',
  title: 'JWT bearer assertion grant handler',
  reason: 'its grant is not built yet',
  idempotent: true,
});
