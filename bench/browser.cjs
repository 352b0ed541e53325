// What the Chromium benches share: Debian's Chromium launched quietly, and the demo rep signed in
// through the sandbox. Resolved from end2end/ (the caller's directory), where npm installed
// Playwright.
const { chromium } = require(require.resolve('@playwright/test', { paths: [process.cwd()] }));

/** Debian's Chromium, without the background traffic that would blur a measure. */
function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Claire Martin of the seeded demo, signed in on `base`: her context and page, open. */
async function signInClaire(browser, base) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/connexion`);
  await page.getByRole('link', { name: 'Se connecter avec Microsoft' }).click();
  await page.getByRole('button', { name: /Claire Martin/ }).first().click();
  await page.locator('.user-menu .user-name').waitFor();
  return { context, page };
}

module.exports = { launch, signInClaire };
