import { unavailableSlot } from '../unavailable-slot.ts';

/** Device SSO handler. */
export const deviceSsoHandler = unavailableSlot({
  name: 'deviceSsoHandler',
  title: 'Device SSO handler',
  reason: 'device SSO is not built yet',
  idempotent: false,
});
