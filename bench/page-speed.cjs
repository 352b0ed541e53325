// Per page, for two running builds of Spine (this one and a reference), in Debian's Chromium:
// bytes downloaded to make the page interactive (raw and over the wire), and the time from
// navigation to an interactive campaign list on a throttled show-floor network (DevTools
// emulation), cold cache, runs of the two builds interleaved. See page-speed.sh.
const { launch, signInClaire } = require('./browser.cjs');
const { recordHydration, filesBeforeHydration, weigh, kb } = require(`${process.cwd()}/weight.cjs`);

const runs = Number(process.env.RUNS ?? 10);
const builds = [
  { name: 'this build', base: process.env.NEW_BASE },
  { name: 'reference', base: process.env.OLD_BASE },
];
const network = { latency: 60, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };

async function signIn(browser, base) {
  const { context, page } = await signInClaire(browser, base);
  // One campaign and one distributor of the demo, for the pages that show one.
  await page.goto(`${base}/campagnes`);
  const campaign = await page.locator('a.campaign-name').first().getAttribute('href');
  await page.goto(`${base}/distributeurs`);
  const distributor = await page.locator('table.list a').first().getAttribute('href');
  const state = await context.storageState();
  await context.close();
  return { state, campaign, distributor };
}

async function open(browser, base, state, route, throttled) {
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  await page.addInitScript(recordHydration);
  if (throttled) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...network });
  }
  await page.goto(`${base}${route}`);
  const files = await filesBeforeHydration(page);
  const ms = await page.evaluate(() => window.__spineHydratedAt);
  await context.close();
  return { files, ms };
}

(async () => {
  const browser = await launch();
  for (const build of builds) Object.assign(build, await signIn(browser, build.base));

  // Bytes per page.
  const pages = (b) => ['/', '/compte', '/distributeurs', b.distributor, '/campagnes', '/campagnes/nouvelle',
                         b.campaign, `${b.campaign}/modifier`];
  console.log('Downloads to make each page interactive (raw / over the wire with br, gzip):');
  console.log(`${'page'.padEnd(26)}${builds.map((b) => b.name.padStart(24)).join('')}`);
  for (let i = 0; i < pages(builds[0]).length; i++) {
    const cells = [];
    for (const b of builds) {
      const w = await weigh((await open(browser, b.base, b.state, pages(b)[i], false)).files);
      cells.push(`${kb(w.raw)} /${kb(w.wire)}`.padStart(24));
    }
    console.log(`${pages(builds[0])[i].replace(/[0-9a-f-]{36}/, ':id').padEnd(26)}${cells.join('')}`);
  }

  // Navigation to an interactive campaign list, throttled, interleaved.
  const times = builds.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [i, b] of builds.entries()) times[i].push((await open(browser, b.base, b.state, '/campagnes', true)).ms);
  }
  await browser.close();
  console.log(`\nNavigation to an interactive /campagnes, 10 Mbit/s and 60 ms latency, cold cache, ${runs} runs:`);
  const medians = times.map((t) => {
    t.sort((a, b) => a - b);
    return t[Math.floor((t.length - 1) / 2)];
  });
  builds.forEach((b, i) => {
    const t = times[i];
    console.log(`  ${b.name.padEnd(12)} min ${t[0].toFixed(0)} ms, median ${medians[i].toFixed(0)} ms, max ${t[t.length - 1].toFixed(0)} ms`);
  });
  console.log(`  ratio (this build / reference), medians: ${(medians[0] / medians[1]).toFixed(2)}`);
})();
