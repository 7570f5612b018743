/** Shared shapes of authorisation request values. */

/** Printable ASCII only for values echoed into URIs and pages (state may be anything printable per RFC 6749 §A.5). */
export const VSCHAR = /^[\x20-\x7E]*$/;
/** The longest single value (state, nonce, hints) accepted. */
export const MAX_PARAM = 4096;

/** Space-separated words of a parameter (empty when absent). */
export const words = (v: string | undefined): string[] => (v ?? '').split(' ').filter((w) => w.length > 0);

/** A value echoed back or shown: printable ASCII, not too long. */
export const printable = (v: string): boolean => v.length <= MAX_PARAM && VSCHAR.test(v);
