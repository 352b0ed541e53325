// Navigation to an interactive board beside the campaign list, in Debian's Chromium (see
// board-speed.sh).
const { launch, signInClaire } = require('./browser.cjs');
const { recordHydration, filesBeforeHydration, filesLoaded, bodyBytes, weigh, kb } = require(`${process.cwd()}/weight.cjs`);

const runs = Number(process.env.RUNS ?? 10);
const cards = Number(process.env.CARDS ?? 2000);
const base = process.env.BASE;
const showFloor = { latency: 60, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };

/** In the page, from its first script: once the app is hydrated, presses ArrowDown on the first
 * card until the focus moves to the second, and notes when (what a rep's first key press sees). */
function answerKeys() {
  const press = () => {
    const hydrated = document.querySelector('.app[data-hydrated="true"]');
    const links = document.querySelectorAll('.board-card a');
    if (hydrated && links.length > 1) {
      if (document.activeElement === links[1]) {
        window.__boardAnsweredAt = performance.now();
        return;
      }
      links[0].focus();
      links[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      if (document.activeElement === links[1]) {
        window.__boardAnsweredAt = performance.now();
        return;
      }
    }
    setTimeout(press, 5);
  };
  setTimeout(press, 0);
}

async function signIn(browser) {
  const { context, page } = await signInClaire(browser, base);
  await page.goto(`${base}/campagnes`);
  const campaign = await page.locator('a.campaign-name').first().getAttribute('href');
  // The demo campaign gets `cards` more prospects, imported as a rep would.
  await page.goto(`${base}${campaign}/prospects`);
  const lines = Array.from({ length: cards }, (_, i) => `Prénom${i};Nom${i};vitesse${i}@exemple.fr;Société ${i % 97}`);
  await page.getByLabel('Fichier de contacts').setInputFiles({
    name: 'salon.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(['Prénom;Nom;E-mail;Société', ...lines].join('\n')),
  });
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await page.waitForURL(/\/import\/[0-9a-f-]{36}$/);
  await page.locator('.app[data-hydrated="true"]').waitFor();
  await page.getByRole('button', { name: 'Importer les contacts' }).click();
  await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
  for (let tries = 0; ; tries++) {
    await page.goto(`${base}${campaign}/tableau`);
    if ((await page.locator('.board-card').count()) >= cards) break;
    if (tries > 120) throw new Error('the import did not finish');
    await page.waitForTimeout(1000);
  }
  const state = await context.storageState();
  await context.close();
  return { state, board: `${campaign}/tableau` };
}

async function open(browser, state, route, network) {
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  await page.addInitScript(recordHydration);
  const board = route.endsWith('/tableau');
  if (board) await page.addInitScript(answerKeys);
  if (network) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...network });
  }
  await page.goto(`${base}${route}`);
  const mark = board ? '__boardAnsweredAt' : '__spineHydratedAt';
  await page.waitForFunction((m) => window[m] !== undefined, mark, { timeout: 60_000 });
  const ms = await page.evaluate((m) => window[m], mark);
  // As the budget counts them: what the page hydrates with, and the board's own script (not the
  // chunks of linked pages warmed meanwhile).
  const files = [...(await filesBeforeHydration(page)),
                 ...(await filesLoaded(page)).filter((url) => new URL(url).pathname.startsWith('/pkg/board.'))];
  await context.close();
  return { ms, files };
}

const stats = (t) => {
  const s = [...t].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { p50: at(0.5), p95: at(0.95) };
};

(async () => {
  const browser = await launch();
  const { state, board } = await signIn(browser);

  // What the board page weighs.
  const cookie = state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const html = async (encoding) => (await bodyBytes(`${base}${board}`, encoding, { cookie })).bytes;
  const first = await open(browser, state, board, null);
  const weight = await weigh(first.files);
  console.log(`Board of ${cards}+ cards: HTML ${kb(await html(null))} (${kb(await html('gzip'))} gzip); ` +
              `files ${kb(weight.raw)} (${kb(weight.wire)} over the wire, ${weight.files.length} files)`);

  for (const [label, network] of [['loopback', null], ['show floor (10 Mbit/s, 60 ms)', showFloor]]) {
    const times = { board: [], list: [] };
    for (let r = 0; r < runs; r++) {
      times.board.push((await open(browser, state, board, network)).ms);
      times.list.push((await open(browser, state, '/campagnes', network)).ms);
    }
    const b = stats(times.board), l = stats(times.list);
    console.log(`\nNavigation to interactive, ${label}, cold cache, ${runs} runs (p50 / p95):`);
    console.log(`  board (a key press answered)   ${b.p50.toFixed(0).padStart(6)} ms ${b.p95.toFixed(0).padStart(6)} ms`);
    console.log(`  campaign list (hydrated)       ${l.p50.toFixed(0).padStart(6)} ms ${l.p95.toFixed(0).padStart(6)} ms`);
    console.log(`  board / list                   ${(b.p50 / l.p50).toFixed(2).padStart(6)}×   ${(b.p95 / l.p95).toFixed(2).padStart(6)}×`);
  }
  await browser.close();
})();
