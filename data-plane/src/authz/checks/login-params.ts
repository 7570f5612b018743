import { type Check, refuse, type TrustedRequest } from './authz-check.ts';
import { printable, words } from './values.ts';

/** OpenID Connect Core §3.1.2.1, plus `create` (Initiating User Registration). */
export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account', 'create'] as const;
export const DISPLAY_VALUES = ['page', 'popup', 'touch', 'wap'] as const;
const PROMPTS: ReadonlySet<string> = new Set(PROMPT_VALUES);
const DISPLAYS: ReadonlySet<string> = new Set(DISPLAY_VALUES);
/** Hints shown or passed on to the login page: printable only. */
const HINTS = ['login_hint', 'acr_values', 'ui_locales', 'claims_locales'] as const;

/** Known values; `none` and `create` each stand alone. */
export const checkPrompt: Check<TrustedRequest> = (s) => {
  const prompt = words(s.params.prompt);
  if (prompt.some((p) => !PROMPTS.has(p))) return refuse('invalid_request', 'Invalid prompt');
  if (prompt.includes('none') && prompt.length > 1)
    return refuse('invalid_request', 'prompt=none cannot be combined with other values');
  if (prompt.includes('create') && prompt.length > 1)
    return refuse('invalid_request', 'prompt=create cannot be combined with other values');
  s.established.prompt = prompt;
  return undefined;
};

/** Seconds, as a non-negative integer of at most nine digits. */
export const checkMaxAge: Check<TrustedRequest> = (s) => {
  const raw = s.params.max_age;
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw)) return refuse('invalid_request', 'Invalid max_age');
  s.established.maxAge = Number(raw);
  return undefined;
};

export const checkDisplay: Check<TrustedRequest> = (s) => {
  const display = s.params.display ?? 'page';
  if (!DISPLAYS.has(display)) return refuse('invalid_request', 'Invalid display');
  s.established.display = display;
  return undefined;
};

export const checkHints: Check<TrustedRequest> = (s) => {
  for (const name of HINTS) {
    const v = s.params[name];
    if (v !== undefined && !printable(v)) return refuse('invalid_request', `Invalid ${name}`);
  }
  return undefined;
};
