import AxeBuilder from '@axe-core/playwright';
import path from 'node:path';
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn, submitCampaign } from './helpers';

/** The scanned catalogues the extractor is measured on (copies of the shared fixtures). */
const files = path.join(__dirname, '..', '..', 'catalogue', 'tests', 'files');

/** Claire with a fresh campaign; ends on its Catalogue tab, reached by the tab's link. */
async function catalogueTab(page: Page, name: string): Promise<string> {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, `Distribution ${name}`);
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name, distributor: `Distribution ${name}`, starts: '10/03/2099', ends: '12/03/2099' });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  const campaign = new URL(page.url()).pathname;
  await page.getByRole('navigation', { name: 'Sections de la campagne' }).getByRole('link', { name: 'Catalogue' }).click();
  await expect(page).toHaveURL(`${campaign}/catalogue`);
  await expect(page.getByRole('heading', { name: 'Envoyer le catalogue du salon' })).toBeVisible();
  return campaign;
}

/** Sends `file` from the tab and waits for its reading to end (the page follows it live). */
async function send(page: Page, file: string, products: number) {
  await page.getByLabel('Catalogue (PDF)').setInputFiles(path.join(files, file));
  await page.getByRole('button', { name: 'Envoyer le catalogue' }).click();
  await expect(page.getByText('Catalogue envoyé')).toBeVisible();
  await expect(page.getByText(`${products} produits lus`)).toBeVisible({ timeout: 120_000 });
}

test('a rep sends a scanned catalogue, watches it read, corrects a product beside its crop, publishes and finds it', async ({ page }) => {
  test.setTimeout(180_000);
  await catalogueTab(page, 'Sirha Lyon catalogue');

  await page.getByLabel('Catalogue (PDF)').setInputFiles(path.join(files, 'sample-grid.pdf'));
  await page.getByRole('button', { name: 'Envoyer le catalogue' }).click();
  await expect(page.getByText('Catalogue envoyé')).toBeVisible();
  // The reading's progress, page by page, then the page as it ends.
  const reading = page.locator('.catalogue').filter({ hasText: 'sample-grid.pdf' });
  const line = reading.locator('.reading-text');
  await expect(line.or(page.getByText('12 produits lus'))).toBeVisible();
  if (await line.isVisible()) {
    await expect(line).toHaveText(/Lecture : \d pages? lues? sur 2…|En attente de lecture…|Pages lues : recherche des produits…/);
  }
  await expect(page.getByText('12 produits lus : 12 à vérifier, 0 approuvé, 0 publié, 0 rejeté.')).toBeVisible({ timeout: 120_000 });

  await page.getByRole('link', { name: 'Vérifier les produits' }).click();
  await expect(page.getByRole('heading', { name: 'Vérifier · sample-grid.pdf' })).toBeVisible();
  const item = page.locator('.review-item').filter({ has: page.locator('input[name="reference"][value="BR299126"]') });
  // The crop of the page region it was read from, beside it.
  const crop = item.getByRole('img', { name: /Extrait de la page 1/ });
  await expect(crop).toBeVisible();
  await expect.poll(() => crop.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(100);
  await item.getByLabel('Nom').fill('Tablier isotherme (lot de 4)');
  await item.getByLabel('Prix HT (€)').fill('15,90');
  await item.getByRole('button', { name: 'Approuver' }).click();
  await expect(page.getByText('« Tablier isotherme (lot de 4) » approuvé.')).toBeVisible();

  await page.getByRole('button', { name: 'Tout approuver (11)' }).click();
  await expect(page.getByText('11 produits approuvés.')).toBeVisible();
  // Tapped twice: published once, and said so.
  await page.getByRole('button', { name: 'Publier les produits approuvés (12)' }).dblclick();
  await expect(page.getByText(/12 produits publiés\.|Aucun produit approuvé à publier\./)).toBeVisible();
  await page.getByRole('link', { name: 'Publiés (12)' }).click();
  await expect(page.locator('.review-item')).toHaveCount(12);

  await page.getByRole('link', { name: /← Catalogue/ }).click();
  await page.getByLabel('Rechercher un produit').fill('tablier ISOTHERME');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  const found = page.locator('.products li');
  await expect(found).toHaveCount(1);
  await expect(found).toContainText('Tablier isotherme (lot de 4)');
  await expect(found).toContainText('15,90\u202F€');
  await expect(found).toContainText('BR299126');
});

test('the catalogue pages fit 390, 768 and 1024 px with no sideways scroll and pass axe; a refused file is said', async ({ page }) => {
  test.setTimeout(180_000);
  const campaign = await catalogueTab(page, 'Salon international des équipements de restauration collective et hôtelière, catalogue');
  await page.getByLabel('Catalogue (PDF)').setInputFiles({ name: 'contacts.pdf', mimeType: 'application/pdf', buffer: Buffer.from('Prénom;Nom\n') });
  await page.getByRole('button', { name: 'Envoyer le catalogue' }).click();
  await expect(page.getByText('Ce fichier n’est pas un PDF (il ne commence pas par « %PDF »).')).toBeVisible();
  await send(page, 'sample-table.pdf', 24);
  await page.getByRole('link', { name: 'Vérifier les produits' }).click();
  const review = new URL(page.url()).pathname;
  for (const width of [390, 768, 1024]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : width === 768 ? 1024 : 768 });
    for (const at of [`${campaign}/catalogue`, review]) {
      await page.goto(at);
      await hydrated(page);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect(scroll, `${at} at ${width}`).toBeLessThanOrEqual(client);
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => `${at} at ${width}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
    }
  }
});
