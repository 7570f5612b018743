import { type ErrorStyle, jsonErrors } from '../core/error-style.ts';
import { errorPage } from './error-page.ts';
import { pageAnswer } from './html.ts';
import { type Messages, messagesFor, pageLanguage } from './messages.ts';

/**
 * How hosted pages refuse: an HTML error page that links and redirects
 * nowhere (the client or its redirect URI cannot be trusted, or the flow
 * expired). An unknown or expired session (404) says so in the page's
 * language, in the words `texts` picks. Without a tenant there is no page
 * to dress it in: JSON.
 */
export function pageErrorStyle(name: string, texts: (t: Messages) => { heading: string; expired: string }): ErrorStyle {
  return {
    name,
    render(request, error) {
      const context = request.tenant;
      if (!context) return jsonErrors.render(request, error);
      const { config } = context.tenant;
      const lang = pageLanguage(config.login.locales, undefined);
      const words = texts(messagesFor(lang));
      const shown =
        error.statusCode === 404 ? { error: 'invalid_session', error_description: words.expired } : error.body;
      const answer = pageAnswer(config, errorPage(config, shown, lang, words.heading), error.statusCode);
      for (const [header, value] of Object.entries(error.headers))
        if (answer.headers[header] === undefined) answer.headers[header] = value;
      return answer;
    },
  };
}

/** The hosted login UI's refusals. */
export const pageErrors: ErrorStyle = pageErrorStyle('page', (t) => ({ heading: t.errorTitle, expired: t.expired }));
