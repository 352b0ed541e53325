import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn, submitCampaign } from './helpers';

/** A page chunk: `split_<chunk>.<hash>.wasm` (the main WASM is `spine.<hash>.wasm`). */
const chunkOf = (name: string) => new RegExp(`/pkg/split_spine_page_${name}\\.[\\w-]+\\.wasm$`);

/** The URLs matching `pattern` that the page downloads from now on (cache hits left out). */
async function downloads(page: Page, pattern: RegExp) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const done: string[] = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    if (pattern.test(e.request.url)) urls.set(e.requestId, e.request.url);
  });
  cdp.on('Network.requestServedFromCache', (e) => urls.delete(e.requestId));
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId);
    if (url && e.encodedDataLength > 0) done.push(url);
  });
  return done;
}

/** Marks the window: a full page load forgets it, a client-side navigation keeps it. */
async function markWindow(page: Page) {
  await page.evaluate(() => ((window as unknown as { spineMark: number }).spineMark = 1));
}
async function windowKept(page: Page) {
  return page.evaluate(() => (window as unknown as { spineMark?: number }).spineMark === 1);
}

test('every lazy page comes alive opened directly and reached by a tap, and its HTML preloads its chunk', async ({ page }) => {
  await signIn(page, 'Claire Martin');

  // /distributeurs/nouveau opened directly: its HTML preloads its chunk beside the main WASM,
  // the form works once hydrated.
  const html = await (await page.request.get('/distributeurs/nouveau')).text();
  expect(html).toMatch(/<link(?=[^>]*rel="preload")(?=[^>]*\/pkg\/split_spine_page_distributor_form\.)[^>]*>/);
  await addDistributor(page, 'Chunk & Cie');

  // /distributeurs/:id reached by a tap (client-side), then opened directly, edited.
  await markWindow(page);
  await page.getByRole('link', { name: 'Chunk & Cie', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Chunk & Cie');
  expect(await windowKept(page)).toBe(true);
  await page.goto(page.url());
  await hydrated(page);
  await page.getByLabel('Site web (facultatif)').fill('chunk.example');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page).toHaveURL(/\/distributeurs$/);

  // /campagnes/nouvelle reached by a tap from /campagnes, a campaign created.
  await page.goto('/campagnes');
  await hydrated(page);
  await markWindow(page);
  await page.getByRole('link', { name: 'Nouvelle campagne' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nouvelle campagne');
  await submitCampaign(page, { name: 'Salon des chunks', distributor: 'Chunk & Cie', starts: '10/03/2099', ends: '12/03/2099' });
  // The hub, reached client-side after the save.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Salon des chunks');
  expect(await windowKept(page)).toBe(true);
  const hub = page.url();

  // The hub opened directly: archiving works.
  await page.goto(hub);
  await hydrated(page);
  await page.getByRole('button', { name: 'Archiver' }).click();
  await expect(page.getByRole('button', { name: 'Restaurer' })).toBeVisible();
  await page.getByRole('button', { name: 'Restaurer' }).click();
  await expect(page.getByRole('button', { name: 'Archiver' })).toBeVisible();

  // /campagnes/:id/modifier by a tap, then opened directly; and /campagnes filtered.
  await markWindow(page);
  await page.getByRole('link', { name: 'Modifier' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Modifier la campagne');
  expect(await windowKept(page)).toBe(true);
  await page.goto(page.url());
  await hydrated(page);
  await markWindow(page);
  await page.getByLabel('Ville (facultatif)').fill('Nantes');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page).toHaveURL(hub);
  await expect(page.locator('.facts')).toContainText('Nantes');
  await page.getByRole('link', { name: 'Campagnes', exact: true }).click();
  await page.getByLabel('Rechercher un salon').fill('chunks');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/q=chunks/);
  await expect(page.getByRole('link', { name: 'Salon des chunks' })).toBeVisible();
  expect(await windowKept(page)).toBe(true);

  // /compte opened directly, then left by a tap.
  await page.goto('/compte');
  await hydrated(page);
  await expect(page.locator('.account-name')).toHaveText('Claire Martin');
  await markWindow(page);
  await page.getByRole('link', { name: 'Distributeurs' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Distributeurs');
  expect(await windowKept(page)).toBe(true);
});

test('the pages linked from the current one are downloaded while the rep reads it, once', async ({ page, browser }) => {
  await signIn(page, 'Claire Martin');
  // A tablet with an empty cache.
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const tab = await context.newPage();
  const campaigns = await downloads(tab, chunkOf('campaigns'));
  await tab.goto('/');
  await hydrated(tab);
  // No tap yet: the page behind the header's "Campagnes" link comes in the background.
  await expect.poll(() => campaigns.length).toBe(1);
  await markWindow(tab);
  await tab.getByRole('link', { name: 'Campagnes', exact: true }).click();
  await expect(tab.getByRole('heading', { level: 1 })).toHaveText('Campagnes');
  expect(await windowKept(tab)).toBe(true);
  // The tap used what was downloaded.
  expect(campaigns).toHaveLength(1);
  await context.close();
});

test('a page whose code does not arrive says so in French, offers to reload, and the rest of the app still works', async ({ page, consoleErrors }) => {
  await signIn(page, 'Claire Martin');
  // The show-floor Wi-Fi drops for the campaign list's chunk; the distributors' chunk is gone
  // from the server, as after a deploy while the tab was open.
  await page.route(chunkOf('campaigns'), (route) => route.abort('internetdisconnected'));
  await page.route(chunkOf('distributors'), (route) => route.fulfill({ status: 404, body: '' }));
  await page.goto('/');
  await hydrated(page);

  await page.getByRole('link', { name: 'Campagnes', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cette page n’a pas pu se charger');
  await expect(page.getByRole('link', { name: 'Recharger' })).toHaveAttribute('href', '/campagnes');
  await page.getByRole('link', { name: 'Distributeurs' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cette page n’a pas pu se charger');

  // Still alive: another page works, and no crash banner.
  await page.getByRole('link', { name: 'Accueil' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Aujourd’hui|Bienvenue sur Spine/);
  await expect(page.locator('#fatal-error')).toHaveCount(0);

  // The network is back: "Recharger" loads the page in full, and a tap on the page that failed
  // before now loads it (a failure is not remembered).
  await page.getByRole('link', { name: 'Campagnes', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cette page n’a pas pu se charger');
  await page.unrouteAll();
  await markWindow(page);
  await page.getByRole('link', { name: 'Recharger' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Campagnes');
  await hydrated(page);
  expect(await windowKept(page)).toBe(false);
  await page.getByRole('link', { name: 'Distributeurs' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Distributeurs');

  // The browser logged the failed downloads; nothing else went wrong.
  const unexpected = consoleErrors.filter(
    (e) => !/split_spine_page_(campaigns|distributors)|Failed to fetch|404|WebAssembly|Incorrect response MIME type/.test(e),
  );
  expect(unexpected).toEqual([]);
  consoleErrors.length = 0;
});

test('a page opened directly whose code does not arrive offers to reload instead of ignoring taps', async ({ page, consoleErrors }) => {
  await signIn(page, 'Claire Martin');
  await page.route(chunkOf('distributors'), (route) => route.abort('internetdisconnected'));
  await page.goto('/distributeurs');
  // The page came from the server but cannot come alive: the rep is told, in French.
  const banner = page.locator('#fatal-error');
  await expect(banner).toContainText('Rechargez-la : rien de ce que vous avez enregistré n’est perdu.');
  await expect(banner.getByRole('link', { name: 'Recharger' })).toHaveAttribute('href', /\/distributeurs$/);
  // What the server sent stays readable behind it.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Distributeurs');

  await page.unrouteAll();
  await Promise.all([page.waitForEvent('load'), banner.getByRole('link', { name: 'Recharger' }).click()]);
  await hydrated(page);
  await expect(page.locator('#fatal-error')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Distributeurs');
  await page.getByRole('link', { name: 'Nouveau distributeur' }).click();
  await page.getByLabel('Nom du distributeur').fill('Après rechargement');
  await page.getByRole('button', { name: 'Ajouter le distributeur' }).click();
  await expect(page.getByRole('link', { name: 'Après rechargement', exact: true })).toBeVisible();

  // The failed download and the stopped WASM were logged; nothing else.
  const unexpected = consoleErrors.filter(
    (e) => !/split_spine_page_distributors|Failed to fetch|ERR_INTERNET_DISCONNECTED|panicked|unreachable/.test(e),
  );
  expect(unexpected).toEqual([]);
  consoleErrors.length = 0;
});
