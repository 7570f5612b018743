import { type Html, html } from './html.ts';

export interface Viewer {
  name: string;
  role: string;
  tid: string | null;
  csrf: string;
}

export interface Layout {
  title: string;
  viewer?: Viewer;
  body: Html;
  /** HTTP status of the page (an error page is still a page). */
  status?: number;
}

/** Every console page: a header with the signed-in user and sign-out, one `main`, the console's own CSS and script. */
export function layout({ title, viewer, body }: Layout): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Tessera console</title>
${viewer ? html`<meta name="csrf-token" content="${viewer.csrf}">` : ''}
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/console/tenants">Tessera console</a>
${
  viewer
    ? html`<nav aria-label="Main"><a href="/console/tenants">Tenants</a></nav>
<div class="who"><span>${viewer.name}</span> <span class="role">${viewer.role}${viewer.tid ? html` of ${viewer.tid}` : ''}</span>
<form method="post" action="/console/sign-out"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit">Sign out</button></form></div>`
    : ''
}
</header>
<main id="main">
${body}
</main>
</body>
</html>`.value;
}

/** An API refusal or failure, as the page shows it: the control plane's own words, and every problem with its path. */
export function problem(answer: { status: number; body: unknown }): Html {
  const b = (answer.body ?? {}) as {
    error?: string;
    error_description?: string;
    errors?: Array<{ path: string; message: string }>;
  };
  return html`<div class="notice error" role="alert"><p><strong>${answer.status} ${b.error ?? 'error'}</strong>: ${b.error_description ?? 'the request failed'}</p>${
    b.errors?.length ? html`<ul>${b.errors.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul>` : ''
  }</div>`;
}
