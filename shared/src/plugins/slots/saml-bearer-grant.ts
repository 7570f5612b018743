import { unavailableSlot } from '../unavailable-slot.ts';

/** SAML 2.0 bearer assertion grant handler. */
export const samlBearerGrant = unavailableSlot({
  name: 'samlBearerGrant',
  title: 'SAML 2.0 bearer assertion grant handler',
  reason: 'its grant is not built yet',
  idempotent: true,
});
