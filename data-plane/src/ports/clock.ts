/**
 * The Clock port (defined in shared, where the key and client stores read
 * time too): `systemClock` in production, `ManualClock` in tests.
 */
export { type Clock, clockDate, epochSeconds, ManualClock, systemClock } from '@tessera/shared/time/clock';
