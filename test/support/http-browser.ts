/**
 * What a browser does at HTML pages, over plain HTTP: GET and form POSTs,
 * cookies kept per host (as a browser keeps them per site), redirects
 * followed by hand so a test can see each hop.
 */
export function httpBrowser() {
  const jars = new Map<string, Map<string, string>>();
  const jarOf = (url: URL) => jars.get(url.host) ?? jars.set(url.host, new Map()).get(url.host)!;
  async function go(address: string, form?: Record<string, string>) {
    const url = new URL(address);
    const jar = jarOf(url);
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = res.headers.get('location');
    return {
      status: res.status,
      html: await res.text(),
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
