import type { Authorization } from '@tessera/shared/authz/authorization';

/** What a device asked for at the device authorisation endpoint (RFC 8628 §3.1). */
export interface DeviceRequest {
  /** The issuer URL it was made under; the tokens are issued under the same. */
  issuer: string;
  clientId: string;
  scope: string[];
  /** When the device code and user code expire, seconds since the epoch. */
  exp: number;
  /** The polling interval the device was told, in seconds (raised by 5 at each `slow_down`). */
  interval: number;
  /** The JWK thumbprint of the DPoP key the device proved at the device authorisation endpoint: only it may poll. */
  dpopJkt?: string;
}

/** What the end-user granted the device: the authorisation and the authentication behind it (as a code records them). */
export interface DeviceApproval {
  authz: Authorization;
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** Claims of the subject session and preset ID token claims, for the ID token. */
  sessionClaims?: Record<string, unknown>;
}

/** What a poll of the token endpoint finds (RFC 8628 §3.5). */
export type DevicePoll =
  | { status: 'pending'; request: DeviceRequest }
  /** Polled sooner than `interval` after the last poll: the interval is now 5 s longer. */
  | { status: 'slow_down'; request: DeviceRequest }
  /** Approved, and taken by this poll: no other poll gets it. */
  | { status: 'approved'; request: DeviceRequest; approval: DeviceApproval }
  | { status: 'denied'; request: DeviceRequest }
  | { status: 'expired'; request: DeviceRequest }
  /** Approved and redeemed before. */
  | { status: 'used'; request: DeviceRequest }
  /** Bound to a DPoP key (`dpopJkt`) this poll did not prove: nothing changed. */
  | { status: 'wrong_key'; request: DeviceRequest };

/** How long a device request is remembered past its expiry, so a late poll hears `expired_token` or a replay `invalid_grant`. */
export const DEVICE_REQUEST_MEMORY_SECONDS = 600;

/**
 * Device authorisation requests (RFC 8628).
 *
 * Contract:
 * - `create` mints the device code, an HMAC-tagged identifier (purpose
 *   `dvc`), and a user code (device/user-code.ts) unique among the tenant's
 *   live ones; the request is kept under the device code's SHA-256 until
 *   `request.exp` plus DEVICE_REQUEST_MEMORY_SECONDS, and the user code
 *   (also under its SHA-256, per tenant) leads to it until `request.exp`.
 * - `findByUserCode` takes the normalised user code and finds a request
 *   only while it is pending and unexpired (store's clock); `handle` names
 *   it for `approve` and `deny` (it is not the device code).
 * - `approve` / `deny` decide a pending, unexpired request, atomically: of
 *   racing decisions exactly one returns true. Either ends the user code.
 * - `poll` judges a device code for the client polling: null for a forged
 *   one (tag check, no store read), an unknown one, another tenant's or one
 *   issued to another client (which changes nothing); `wrong_key`, changing
 *   nothing, when the request is bound to a DPoP key (`dpopJkt`) and the
 *   poll proves another or none. Expired (store's clock) wins
 *   over everything but `used`; a pending request polled sooner than
 *   `interval` seconds after the previous poll answers `slow_down` and
 *   raises its interval by 5 s, atomically (parallel polls cannot slip in
 *   between). An approved request is handed out once (`approved`), later
 *   polls get `used`.
 * - Tenant isolation: nothing is ever found through another tenant's code.
 */
export interface DeviceRequestStore {
  create(tid: string, hmacKey: Uint8Array, request: DeviceRequest): Promise<{ deviceCode: string; userCode: string }>;
  findByUserCode(tid: string, userCode: string): Promise<{ handle: string; request: DeviceRequest } | null>;
  approve(tid: string, handle: string, approval: DeviceApproval): Promise<boolean>;
  deny(tid: string, handle: string): Promise<boolean>;
  poll(
    tid: string,
    hmacKey: Uint8Array,
    deviceCode: string,
    clientId: string,
    dpopJkt?: string,
  ): Promise<DevicePoll | null>;
}
