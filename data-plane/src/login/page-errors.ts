import { type ErrorStyle, jsonErrors } from '../core/error-style.ts';
import { errorPage } from './error-page.ts';
import { pageAnswer } from './html.ts';
import { messagesFor, pageLanguage } from './messages.ts';

/**
 * How the hosted login UI refuses: an HTML error page that links and
 * redirects nowhere (the client or its redirect URI cannot be trusted, or
 * the sign-in expired). An unknown or expired authorisation session (404)
 * says so in the page's language. Without a tenant there is no page to
 * dress it in: JSON.
 */
export const pageErrors: ErrorStyle = {
  name: 'page',
  render(request, error) {
    const context = request.tenant;
    if (!context) return jsonErrors.render(request, error);
    const { config } = context.tenant;
    const lang = pageLanguage(config.login.locales, undefined);
    const shown =
      error.statusCode === 404
        ? { error: 'invalid_session', error_description: messagesFor(lang).expired }
        : error.body;
    const answer = pageAnswer(config, errorPage(config, shown, lang), error.statusCode);
    for (const [name, value] of Object.entries(error.headers))
      if (answer.headers[name] === undefined) answer.headers[name] = value;
    return answer;
  },
};
