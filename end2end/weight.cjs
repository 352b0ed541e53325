// What a page costs a tablet: the files a browser downloads to make it interactive (main WASM
// and JS, the page's chunks, CSS), counted raw and as received over the wire when the browser
// accepts brotli and gzip. Shared by the budget test (tests/budget.spec.ts) and the benchmarks
// in bench/.
const http = require('node:http');

/** Marks the moment the WASM has hydrated the page (run before any page script). */
function recordHydration() {
  new MutationObserver(() => {
    const app = document.querySelector('.app[data-hydrated="true"]');
    if (app && window.__spineHydratedAt === undefined) window.__spineHydratedAt = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
}

/** The URLs of the site's files (under /pkg/) requested before the page was hydrated. */
async function filesBeforeHydration(page) {
  await page.waitForFunction(() => window.__spineHydratedAt !== undefined);
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.startTime <= window.__spineHydratedAt && new URL(e.name).pathname.startsWith('/pkg/'))
      .map((e) => e.name),
  );
}

/** The URLs of the site's files (under /pkg/) requested so far. */
async function filesLoaded(page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => new URL(e.name).pathname.startsWith('/pkg/'))
      .map((e) => e.name),
  );
}

/** Body bytes of `url` as sent with the given Accept-Encoding (not decompressed), with `more`
 * request headers. */
function bodyBytes(url, acceptEncoding, more = {}) {
  return new Promise((resolve, reject) => {
    const headers = { ...more, ...(acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {}) };
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve({ bytes, encoding: res.headers['content-encoding'] ?? 'identity' })
            : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

const sizes = new Map();
/** `{ raw, wire, encoding }` of one file, measured once. */
async function fileSize(url) {
  if (!sizes.has(url)) {
    const raw = await bodyBytes(url, null);
    const wire = await bodyBytes(url, 'br, gzip');
    sizes.set(url, { raw: raw.bytes, wire: wire.bytes, encoding: wire.encoding });
  }
  return sizes.get(url);
}

/** The main chunk: what every page downloads (the app's WASM, its JS glue and the chunk
 * loader the glue imports). */
function isMain(url) {
  return /\/pkg\/(spine|__wasm_split)(\.[\w-]+)?\.(wasm|js)$/.test(new URL(url).pathname);
}

/** Totals of a page's files: `{ raw, wire, mainRaw, mainWire, files }`. */
async function weigh(urls) {
  const total = { raw: 0, wire: 0, mainRaw: 0, mainWire: 0, files: [] };
  for (const url of [...new Set(urls)].sort()) {
    const size = await fileSize(url);
    total.raw += size.raw;
    total.wire += size.wire;
    if (isMain(url)) {
      total.mainRaw += size.raw;
      total.mainWire += size.wire;
    }
    total.files.push({ file: new URL(url).pathname.replace('/pkg/', ''), ...size });
  }
  return total;
}

const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(7) + ' KB';

module.exports = { recordHydration, filesBeforeHydration, filesLoaded, bodyBytes, weigh, kb };
