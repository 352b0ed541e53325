import { test, expect, hydrated } from './fixtures';

test('the home page is served in French and the WASM hydrates it', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bienvenue sur Spine');
  await expect(page).toHaveTitle('Accueil · Spine');
  await expect(page.locator('footer')).toContainText('version');
  await hydrated(page);
});

test('the server HTML says it is not hydrated yet, so the marker proves the WASM ran', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'false');
  await context.close();
});

test('an unknown address shows the French 404 page', async ({ page, consoleErrors }) => {
  const response = await page.goto('/nulle-part');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');
  await hydrated(page);
  // The browser logs the document's own 404; anything else is a real error.
  expect(consoleErrors.filter((e) => !e.includes('status of 404'))).toEqual([]);
  consoleErrors.length = 0;
});
