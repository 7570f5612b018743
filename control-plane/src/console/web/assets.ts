/**
 * The console's only style sheet and script, served from the control plane
 * itself (`/console/assets/…`): no asset from outside, and the CSP allows
 * nothing inline.
 */
export const CONSOLE_CSS = `
:root { color-scheme: light; --brand: #4338ca; --ink: #111827; --muted: #4b5563; --line: #d1d5db; --bg: #f3f4f6; --ok: #166534; --warn: #92400e; --bad: #991b1b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--ink); }
a { color: var(--brand); }
a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid var(--brand); outline-offset: 2px; }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .75rem 1.5rem; background: #1e1b4b; color: #fff; }
header.top a { color: #fff; text-decoration: none; font-weight: 600; }
header.top .brand { font-size: 1.1rem; }
header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
header.top form { margin: 0; }
header.top button { background: transparent; color: #fff; border: 1px solid #a5b4fc; }
.role { display: inline-block; padding: .1rem .5rem; border-radius: 999px; background: #e0e7ff; color: #1e1b4b; font-size: .8rem; font-weight: 700; }
main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.card { background: #fff; border-radius: .5rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 1.25rem; margin-bottom: 1rem; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
tbody th { font-size: inherit; text-transform: none; letter-spacing: normal; color: var(--ink); }
/* Key ids, URLs and timestamps wrap inside their cell rather than push the table past the page. */
td { overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
pre { background: #f9fafb; border: 1px solid var(--line); padding: .75rem; border-radius: .375rem; overflow: auto; max-height: 28rem; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 700; border: 1px solid currentColor; }
.status-active { color: var(--ok); } .status-suspended { color: var(--warn); } .status-failed, .status-deleted { color: var(--bad); } .status-provisioning, .status-deprovisioning { color: var(--muted); }
.status-pending { color: var(--muted); } .status-retired { color: var(--warn); } .status-revoked { color: var(--bad); }
.table-scroll { overflow-x: auto; }
code.json { white-space: pre-wrap; word-break: break-all; }
nav.tabs { display: flex; flex-wrap: wrap; gap: .25rem; border-bottom: 2px solid var(--line); margin-bottom: 1rem; }
nav.tabs a { padding: .5rem .8rem; text-decoration: none; color: var(--muted); font-weight: 600; border-bottom: 3px solid transparent; margin-bottom: -2px; }
nav.tabs a[aria-current="page"] { color: var(--brand); border-bottom-color: var(--brand); }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
.hint { color: var(--muted); font-size: .85rem; margin: .15rem 0 0; }
input[type=text], input[type=url], input[type=search], input[type=number], input[type=date], select, textarea { width: 100%; padding: .5rem .6rem; font: inherit; border: 1px solid #6b7280; border-radius: .375rem; background: #fff; }
textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; min-height: 14rem; }
button, .button { display: inline-block; padding: .5rem 1rem; font: inherit; font-weight: 600; border-radius: .375rem; border: 1px solid var(--brand); background: #fff; color: var(--brand); cursor: pointer; text-decoration: none; }
button.primary, .button.primary { background: var(--brand); color: #fff; }
button.danger, .button.danger { border-color: var(--bad); color: var(--bad); }
button.danger.primary { background: var(--bad); color: #fff; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin-top: 1rem; }
.row { display: flex; gap: 1rem; align-items: flex-end; flex-wrap: wrap; }
.row > * { flex: 1; min-width: 12rem; }
.row > .fit { flex: 0 0 auto; min-width: 0; }
.notice { padding: .75rem 1rem; border-radius: .375rem; margin: 0 0 1rem; border: 1px solid; }
.notice.error { background: #fef2f2; border-color: #fca5a5; color: var(--bad); }
.notice.ok { background: #f0fdf4; border-color: #86efac; color: var(--ok); }
.notice p { margin: 0; }
.notice ul { margin: .25rem 0 0; padding-left: 1.25rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); font-weight: 600; }
dl.facts dd { margin: 0; word-break: break-all; }
.secret { font-family: ui-monospace, monospace; background: #fffbeb; border: 1px dashed var(--warn); padding: .5rem; word-break: break-all; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#config-problems:empty { display: none; }
`;

/**
 * Progressive enhancement only; every page works without it. The live
 * config check: the editor's text is sent (with the page's CSRF token) to
 * the console's config-check route as you type, and every problem is listed
 * with its path.
 */
export const CONSOLE_JS = `
(() => {
  // Live regions (an issuer migration's telemetry): the same page fetched again, its region swapped in.
  const live = document.querySelector('[data-refresh]');
  const every = Number(live?.getAttribute('data-refresh'));
  if (live && every > 0) {
    setInterval(async () => {
      const res = await fetch(location.href, { headers: { accept: 'text/html' } });
      if (!res.ok) return;
      const next = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById(live.id);
      if (next) live.replaceChildren(...next.childNodes);
    }, every * 1000);
  }
})();
(() => {
  const editor = document.getElementById('config');
  const out = document.getElementById('config-problems');
  if (!editor || !out) return;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  let timer;
  let seq = 0;
  const show = (kind, lines) => {
    out.className = 'notice ' + kind;
    out.replaceChildren();
    const head = document.createElement('p');
    head.textContent = lines[0];
    out.append(head);
    if (lines.length > 1) {
      const ul = document.createElement('ul');
      for (const line of lines.slice(1)) { const li = document.createElement('li'); li.textContent = line; ul.append(li); }
      out.append(ul);
    }
  };
  const check = async () => {
    const mine = ++seq;
    let body;
    try { body = editor.value.trim() === '' ? {} : JSON.parse(editor.value); }
    catch (e) { show('error', ['The configuration is not valid JSON: ' + e.message]); return; }
    const res = await fetch('/console/config-check', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
    if (mine !== seq) return;
    if (res.status === 204) { show('ok', ['The configuration is valid.']); return; }
    const answer = await res.json().catch(() => ({}));
    const problems = (answer.errors ?? []).map((p) => p.path + ': ' + p.message);
    show('error', [answer.error_description ?? ('The check failed (' + res.status + ')'), ...problems]);
  };
  editor.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(check, 300); });
  check();
})();
`;
