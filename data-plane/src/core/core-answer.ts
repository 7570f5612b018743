/** Response header values: one string, or several (Set-Cookie). */
export type AnswerHeaders = Record<string, string | string[]>;

interface AnswerBase {
  status: number;
  /** Headers of the answer; policies may add to them before it is written. */
  headers: AnswerHeaders;
}

/**
 * What the core answers, for the transport to write. Five kinds: a JSON
 * value (serialised by the transport, with the route's response schema when
 * it has one), an HTML page, a redirect, text of a given content type
 * (pre-serialised JSON documents, JWTs, Prometheus text) and no body.
 */
export type CoreAnswer =
  | (AnswerBase & { kind: 'json'; body: unknown })
  | (AnswerBase & { kind: 'html'; html: string })
  | (AnswerBase & { kind: 'redirect'; location: string })
  | (AnswerBase & { kind: 'text'; contentType: string; text: string })
  | (AnswerBase & { kind: 'empty' });

export type AnswerKind = CoreAnswer['kind'];

export const jsonAnswer = (body: unknown, status = 200, headers: AnswerHeaders = {}): CoreAnswer => ({
  kind: 'json',
  status,
  headers,
  body,
});
export const htmlAnswer = (html: string, status = 200, headers: AnswerHeaders = {}): CoreAnswer => ({
  kind: 'html',
  status,
  headers,
  html,
});
/** 303 unless said otherwise: the browser follows with a GET whatever the method of the form it submitted. */
export const redirectAnswer = (location: string, status = 303, headers: AnswerHeaders = {}): CoreAnswer => ({
  kind: 'redirect',
  status,
  headers,
  location,
});
export const textAnswer = (
  contentType: string,
  text: string,
  status = 200,
  headers: AnswerHeaders = {},
): CoreAnswer => ({ kind: 'text', status, headers, contentType, text });
export const emptyAnswer = (status = 204, headers: AnswerHeaders = {}): CoreAnswer => ({
  kind: 'empty',
  status,
  headers,
});

/** Whether the answer names a Cache-Control of its own. */
export const setsCaching = (answer: CoreAnswer): boolean => answer.headers['cache-control'] !== undefined;
