import { unavailableSlot } from '../unavailable-slot.ts';

/** Token exchange grant handler. */
export const tokenExchangeGrant = unavailableSlot({
  name: 'tokenExchangeGrant',
  title: 'Token exchange grant handler',
  reason: 'the grant runs without a handler: a handler slot is not built yet',
  idempotent: true,
});
