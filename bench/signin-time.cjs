// Times the sign-in round trip in Debian's Chromium (see signin-time.sh).
const { launch } = require('./browser.cjs');

(async () => {
  const runs = Number(process.env.RUNS ?? 10);
  const base = process.env.BASE;
  const browser = await launch();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/connexion`);
    const start = performance.now();
    await page.getByRole('link', { name: 'Se connecter avec Microsoft' }).click();
    await page.getByRole('button', { name: /Claire Martin/ }).first().click();
    await page.locator('.user-menu .user-name').waitFor();
    times.push(performance.now() - start);
    await context.close();
  }
  await browser.close();
  times.sort((a, b) => a - b);
  const median = times[Math.floor((times.length - 1) / 2)];
  console.log(`sign-in round trip (${runs} runs, click to signed-in page): min ${times[0].toFixed(0)} ms, ` +
              `median ${median.toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms`);
})();
