import path from 'path';
import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn, submitCampaign } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { recordHydration, filesBeforeHydration, filesLoaded, weigh, kb } = require('../weight.cjs');

/** What every page downloads (the app's WASM and JS), over the wire. */
const MAIN_BUDGET = 200 * 1024;
/** Everything a page downloads to become interactive (main, its chunks, CSS), over the wire. */
const PAGE_BUDGET = 300 * 1024;

test('every page becomes interactive within its download budget: main <= 200 KB, any page <= 300 KB over the wire', async ({ page, browser, baseURL }) => {
  await signIn(page, 'Claire Martin');
  // One of each thing a page shows.
  await addDistributor(page, 'Budget Distribution');
  await page.getByRole('link', { name: 'Budget Distribution', exact: true }).click();
  await expect(page).toHaveURL(/\/distributeurs\/[0-9a-f-]{36}$/);
  const distributor = new URL(page.url()).pathname;
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name: 'Salon du budget', distributor: 'Budget Distribution', starts: '02/02/2099', ends: '03/02/2099' });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  const campaign = new URL(page.url()).pathname;
  const sendFile = async () => {
    await page.goto(`${campaign}/prospects`);
    await page.getByLabel('Fichier de contacts').setInputFiles(path.join(__dirname, '../../import/tests/files/excel-fr.csv'));
    await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
    await expect(page).toHaveURL(/\/import\/[0-9a-f-]{36}$/);
    return new URL(page.url()).pathname;
  };
  const mapping = await sendFile();
  await sendFile();
  await page.getByRole('button', { name: 'Importer les contacts' }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f-]{36}$/);
  const report = new URL(page.url()).pathname;
  await page.goto(`${campaign}/prospects`);
  const prospect = await page.locator('ul.prospects a').first().getAttribute('href') ?? '';

  const signedIn = await page.context().storageState();
  const routes: [string, boolean][] = [
    ['/', false],
    ['/connexion', false],
    ['/compte', true],
    ['/distributeurs', true],
    ['/distributeurs/nouveau', true],
    [distributor, true],
    ['/campagnes', true],
    ['/campagnes/nouvelle', true],
    [campaign, true],
    [`${campaign}/modifier`, true],
    [`${campaign}/prospects`, true],
    [mapping, true],
    [report, true],
    [prospect, true],
    [`${campaign}/tableau`, true],
    [`${campaign}/catalogue`, true],
    [`${campaign}/envois`, true],
    ['/compte/envoi', true],
    [`${campaign}/mixer`, true],
    [`${campaign}/stand`, true],
    ['/compte/modeles', true],
    ['/compte/modeles/nouveau', true],
  ];
  const rows: string[] = [];
  const over: string[] = [];
  let main = 0;
  for (const [route, withSession] of routes) {
    // A cold cache for each page, as a tablet opening it first.
    const context = await browser.newContext(withSession ? { storageState: signedIn } : {});
    const tab = await context.newPage();
    await tab.addInitScript(recordHydration);
    await tab.goto(route);
    const files = await filesBeforeHydration(tab);
    if (route.endsWith('/tableau')) {
      // The board is interactive once its own script (a module beside the app's) is there too;
      // not the chunks of linked pages fetched meanwhile, counted on their own pages.
      await tab.locator('.board[data-ready]').waitFor();
      files.push(...(await filesLoaded(tab)).filter((url: string) => new URL(url).pathname.startsWith('/pkg/board.')));
    }
    if (route.endsWith('/catalogue')) {
      // The catalogue tab loads its stylesheet and the board's script too (to follow a reading
      // and hold its forms to one post): counted once they are there.
      await tab.waitForLoadState('networkidle');
      const own = (url: string) => ['/pkg/board.', '/pkg/catalogue.'].some((p) => new URL(url).pathname.startsWith(p));
      files.push(...(await filesLoaded(tab)).filter(own));
    }
    if (/\/(mixer|stand|modeles|nouveau)$/.test(route)) {
      // The mixer's pages load their stylesheet and the board's script (search as you type,
      // the live preview, one post per form): counted once they are there.
      await tab.waitForLoadState('networkidle');
      const own = (url: string) => ['/pkg/board.', '/pkg/mixer.'].some((p) => new URL(url).pathname.startsWith(p));
      files.push(...(await filesLoaded(tab)).filter(own));
    }
    const weight = await weigh(files);
    await context.close();
    main = Math.max(main, weight.mainWire);
    const label = route.replace(/[0-9a-f-]{36}/g, ':id');
    rows.push(`${label.padEnd(26)} ${kb(weight.raw)} ${kb(weight.wire)}   ${weight.files.length} files`);
    if (weight.wire > PAGE_BUDGET) over.push(`${label} downloads ${kb(weight.wire)}`);
  }
  console.log(
    `\nDownloads to make each page interactive (${baseURL}), raw and over the wire (br/gzip):\n` +
      `${'page'.padEnd(26)} ${'raw'.padStart(10)} ${'wire'.padStart(10)}\n${rows.join('\n')}\n` +
      `main chunk (every page): ${kb(main)} over the wire; budgets: main ${kb(MAIN_BUDGET)}, page ${kb(PAGE_BUDGET)}\n`,
  );
  // Checked once the table is printed, so a page over budget shows where the bytes went.
  expect(over, 'pages over budget').toEqual([]);
  expect(main, `the main chunk weighs ${kb(main)}`).toBeLessThanOrEqual(MAIN_BUDGET);
});
