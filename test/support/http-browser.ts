/** A browser's cookies for one site: name → value. */
export type Jar = Record<string, string>;

/** The Cookie header a browser sends with `jar`. */
export const cookieHeader = (jar: Jar): string =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

/** A browser's cookie jar after a response: set, replaced, or deleted (Max-Age=0). */
export function keep(jar: Jar, res: Response): Jar {
  const next = { ...jar };
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    if (/;\s*Max-Age=0/i.test(line)) delete next[name];
    else next[name] = pair!.slice(eq + 1);
  }
  return next;
}

/**
 * What a browser does at HTML pages, over plain HTTP: GET and form POSTs,
 * cookies kept per host (as a browser keeps them per site), redirects
 * followed by hand so a test can see each hop.
 */
export function httpBrowser() {
  const jars = new Map<string, Jar>();
  async function go(address: string, form?: Record<string, string>) {
    const url = new URL(address);
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(jars.get(url.host) ?? {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    jars.set(url.host, keep(jars.get(url.host) ?? {}, res));
    const location = res.headers.get('location');
    return {
      status: res.status,
      html: await res.text(),
      headers: res.headers,
      location: location === null ? undefined : new URL(location, url).href,
    };
  }
  /** GET, then follow redirects to the page at the end. */
  async function open(address: string) {
    let page = await go(address);
    for (let hops = 0; page.location && hops < 10; hops++) page = await go(page.location);
    return page;
  }
  return { go, open };
}

/** A hidden field's value in a hosted page's form. */
export const formField = (html: string, name: string): string | undefined =>
  html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
