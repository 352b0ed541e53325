import { Page, Route } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn, submitCampaign } from './helpers';

/** A show-floor network: 10 Mbit/s, 60 ms each way. */
async function throttle(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 60,
    downloadThroughput: (10 * 1024 * 1024) / 8,
    uploadThroughput: (10 * 1024 * 1024) / 8,
  });
}

/** Holds every WASM download until `release()`: the page stays as the server sent it. */
async function holdWasm(page: Page) {
  const held: Route[] = [];
  let holding = true;
  await page.route(/\/pkg\/.*\.wasm$/, (route) => (holding ? held.push(route) : route.continue()));
  return async () => {
    holding = false;
    // A request of a page the rep already left has nothing to continue.
    await Promise.all(held.map((r) => r.continue().catch(() => undefined)));
  };
}

/** How many campaigns the list finds for `q` (names are unique per test). */
async function campaignsFound(page: Page, q: string) {
  await page.goto(`/campagnes?statut=toutes&q=${encodeURIComponent(q)}`);
  await hydrated(page);
  return page.locator('.campaign-row').count();
}

test('a form submitted before the WASM arrives ends on a page with its errors, then on what it created, once', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Avant WASM SARL');

  await throttle(page);
  const release = await holdWasm(page);
  await page.goto('/campagnes/nouvelle');
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'false');
  await submitCampaign(page, { name: 'Salon sans WASM', distributor: 'Avant WASM SARL', starts: '25/01/2099', ends: '21/01/2099' });
  // Back on the form, as a page: the error beside its field, what was typed still there.
  await expect(page).toHaveURL(/\/campagnes\/nouvelle$/);
  await expect(page.getByText('La date de fin doit être le jour du début ou après.')).toBeVisible();
  await expect(page.getByLabel('Nom du salon')).toHaveValue('Salon sans WASM');
  await expect(page.locator('select[name="form[distributor_id]"] option:checked')).toHaveText('Avant WASM SARL');
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'false');

  // Corrected, and tapped twice: one campaign, and its page says so.
  await page.getByLabel('Début (jj/mm/aaaa)').fill('21/01/2099');
  await page.getByLabel('Fin (jj/mm/aaaa)').fill('25/01/2099');
  await page.getByRole('button', { name: 'Créer la campagne' }).dblclick();
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Salon sans WASM');
  await expect(page.getByRole('status')).toContainText('Campagne créée.');
  await release();
  expect(await campaignsFound(page, 'Salon sans WASM')).toBe(1);
});

test('two taps on a slow save create one campaign, and the form shows it is busy', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Double Tap & Fils');
  await page.route('**/api/save_campaign', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name: 'Salon du double tap', distributor: 'Double Tap & Fils', starts: '02/02/2099', ends: '03/02/2099' });
  await expect(page.locator('form.campaign-form')).toHaveAttribute('aria-busy', 'true');
  await page.waitForTimeout(250);
  await page.getByRole('button', { name: 'Créer la campagne' }).click({ force: true });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Salon du double tap');
  await page.unroute('**/api/save_campaign');
  expect(await campaignsFound(page, 'Salon du double tap')).toBe(1);
});

test('a refused save puts focus on the first field to correct', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await page.getByLabel('Nom du salon').fill('Salon sans distributeur');
  await page.getByLabel('Début (jj/mm/aaaa)').fill('01/0');
  await page.getByRole('button', { name: 'Créer la campagne' }).click();
  await expect(page.getByText('Choisissez un distributeur.')).toBeVisible();
  await expect(page.locator('select[name="form[distributor_id]"]')).toBeFocused();
  // Dates ask for the numeric keypad and fields carry the server's limits.
  await expect(page.getByLabel('Début (jj/mm/aaaa)')).toHaveAttribute('inputmode', 'numeric');
  await expect(page.getByLabel('Nom du salon')).toHaveAttribute('maxlength', '160');
  await expect(page.getByLabel('Ville (facultatif)')).toHaveAttribute('maxlength', '120');
});

test('adding a distributor says so on the list; deleting asks in place and can be undone', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Undo & Co');
  await expect(page.getByRole('status')).toContainText('Distributeur « Undo & Co » ajouté.');

  // The confirmation takes focus; Escape cancels and gives focus back to "Supprimer".
  const remove = page.getByRole('link', { name: 'Supprimer Undo & Co' });
  await remove.click();
  const confirm = page.getByRole('button', { name: 'Confirmer la suppression de Undo & Co' });
  await expect(confirm).toBeFocused();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  await page.keyboard.press('Tab');
  await expect(page.locator('.confirm').getByRole('link', { name: 'Annuler' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(remove).toBeFocused();

  await remove.click();
  await confirm.click();
  await expect(page.getByRole('status')).toContainText('Distributeur « Undo & Co » supprimé.');
  await expect(page.getByRole('link', { name: 'Undo & Co', exact: true })).toBeHidden();
  await page.getByRole('status').getByRole('button', { name: 'Annuler' }).click();
  await expect(page.getByRole('status')).toContainText('Distributeur « Undo & Co » rétabli.');
  await expect(page.getByRole('link', { name: 'Undo & Co', exact: true })).toBeVisible();
});

test('adding and deleting a distributor work before the WASM arrives too, on a phone', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await page.setViewportSize({ width: 390, height: 844 });
  const release = await holdWasm(page);
  await page.goto('/distributeurs/nouveau');
  await page.getByLabel('Nom du distributeur').fill('Sans WASM SA');
  await page.getByRole('button', { name: 'Ajouter le distributeur' }).click();
  await expect(page.getByRole('status')).toContainText('Distributeur « Sans WASM SA » ajouté.');
  await page.getByRole('link', { name: 'Supprimer Sans WASM SA' }).click();
  await expect(page).toHaveURL(/supprimer=/);
  const confirm = page.getByRole('button', { name: 'Confirmer la suppression de Sans WASM SA' });
  await expect(confirm).toBeFocused();
  await confirm.click();
  await expect(page.getByRole('status')).toContainText('Distributeur « Sans WASM SA » supprimé.');
  await expect(page.getByRole('link', { name: 'Sans WASM SA', exact: true })).toBeHidden();
  await page.getByRole('status').getByRole('button', { name: 'Annuler' }).click();
  await expect(page.getByRole('link', { name: 'Sans WASM SA', exact: true })).toBeVisible();
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'false');
  await release();
});

test('every page fits 390, 768 and 1024 px wide with no sideways scroll, and passes axe', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Établissements Grandes-Largeurs et Associés Distribution');
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, {
    name: 'Salon international des équipements de restauration collective',
    distributor: 'Établissements Grandes-Largeurs et Associés Distribution',
    starts: '14/03/2099',
    ends: '17/03/2099',
  });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  const hub = new URL(page.url()).pathname;
  await page.goto('/distributeurs');
  const distributor = new URL(
    await page.getByRole('link', { name: /Grandes-Largeurs/ }).first().evaluate((a) => (a as HTMLAnchorElement).href),
  ).pathname;

  const pages = ['/', '/connexion', '/compte', '/distributeurs', '/distributeurs/nouveau', distributor, '/campagnes', '/campagnes/nouvelle', hub, `${hub}/modifier`];
  const fits = async (what: string) => {
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(scroll, `${what} is ${scroll} px wide in ${client} px`).toBeLessThanOrEqual(client);
  };
  for (const width of [390, 768, 1024]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : width === 768 ? 1024 : 768 });
    for (const path of pages) {
      await page.goto(path);
      await hydrated(page);
      await fits(`${path} at ${width}`);
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => `${path} at ${width}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
    }
    // A form with its errors, and a delete being confirmed.
    await page.goto('/campagnes/nouvelle');
    await hydrated(page);
    await page.getByRole('button', { name: 'Créer la campagne' }).click();
    await expect(page.getByText('Le nom du salon est obligatoire.')).toBeVisible();
    await fits(`the campaign form with its errors at ${width}`);
    await page.goto('/distributeurs');
    await hydrated(page);
    await page.getByRole('link', { name: /^Supprimer Établissements/ }).click();
    await fits(`a delete being confirmed at ${width}`);
  }
});
