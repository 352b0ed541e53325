import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn, submitCampaign } from './helpers';

/** Claire with a fresh campaign of `rows` prospects (imported); ends on its board. */
async function boardOf(page: Page, name: string, rows: number): Promise<string> {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, `Distribution ${name}`);
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name, distributor: `Distribution ${name}`, starts: '10/03/2099', ends: '12/03/2099' });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  const campaign = new URL(page.url()).pathname;
  await page.goto(`${campaign}/prospects`);
  const stamp = Date.now();
  const lines = Array.from({ length: rows }, (_, i) => `Carte${i};Tableau;carte${i}.${stamp}@exemple.fr;Maison ${i}`);
  await page.getByLabel('Fichier de contacts').setInputFiles({
    name: 'tableau.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(['Prénom;Nom;E-mail;Société', ...lines].join('\n')),
  });
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await expect(page).toHaveURL(/\/import\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Importer les contacts' }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f-]{36}$/);
  await page.goto(`${campaign}/tableau`);
  await hydrated(page);
  return campaign;
}

const column = (page: Page, name: RegExp) => page.getByRole('region', { name });

test('a rep classifies a card with a tap, undoes it, and the board open elsewhere follows', async ({ page, browser }) => {
  const campaign = await boardOf(page, 'Salon du tableau', 3);
  await expect(column(page, /^Salle d’attente/).locator('.board-card')).toHaveCount(3);
  await expect(column(page, /^Four/).locator('.board-card')).toHaveCount(0);

  // The same board on a laptop.
  const laptop = await browser.newPage({ storageState: await page.context().storageState() });
  await laptop.goto(`${campaign}/tableau`);
  await hydrated(laptop);

  // A tap opens the card's moves; OUI sends it to the oven.
  await column(page, /^Salle d’attente/).getByRole('link', { name: 'Carte0 Tableau' }).click();
  await expect(page.getByRole('heading', { name: 'Carte0 Tableau', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'OUI → Four' }).click();
  await expect(page.getByText('Déplacé vers « Four (oui) ».')).toBeVisible();
  await expect(column(page, /^Four/).locator('.board-card')).toHaveCount(1);
  await expect(column(page, /^Four/)).toContainText('Carte0 Tableau');
  // The laptop follows without a reload.
  await expect(column(laptop, /^Four/).locator('.board-card')).toHaveCount(1);
  await expect(column(laptop, /^Salle d’attente/).locator('.board-card')).toHaveCount(2);

  // The oven exported as CSV, reopened: a byte-order mark, `;`, the card with its stage.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: '(CSV)' }).first().click();
  const file = await (await download).path();
  const bytes = require('fs').readFileSync(file);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = bytes.subarray(3).toString('utf8').split('\r\n');
  expect(rows[0].startsWith('Civilité;Prénom;Nom;E-mail;Société')).toBe(true);
  expect(rows.filter((r: string) => r.includes('@exemple.fr'))).toHaveLength(1);
  expect(rows[1]).toMatch(/^;Carte0;Tableau;carte0\.\d+@exemple\.fr;Maison 0;.*;Four;oui;/);

  // Undone from the notice: back in the waiting room, on both.
  await page.getByRole('button', { name: 'Annuler' }).click();
  await expect(page.getByText('Déplacement annulé.')).toBeVisible();
  await expect(column(page, /^Salle d’attente/).locator('.board-card')).toHaveCount(3);
  await expect(column(laptop, /^Four/).locator('.board-card')).toHaveCount(0);

  // A move made from a page that no longer shows where the card is: refused, nothing lost.
  await column(page, /^Salle d’attente/).getByRole('link', { name: 'Carte1 Tableau' }).click();
  await expect(page.getByRole('button', { name: 'Ghost → Frigo' })).toBeVisible();
  await laptop.goto(page.url());
  await laptop.getByRole('button', { name: 'Corbeille' }).click();
  await expect(laptop.getByText('Déplacé vers « Corbeille ».')).toBeVisible();
  await page.getByRole('button', { name: 'Ghost → Frigo' }).click();
  await expect(page.getByText(/Ce prospect n’est plus en « Salle d’attente » : il a été déplacé entre-temps vers « Corbeille »/)).toBeVisible();
  await laptop.close();
});

test('the board and a card fit 390, 768 and 1024 px with no sideways scroll, one stage at a time on a phone, and pass axe', async ({ page }) => {
  test.setTimeout(90_000);
  const campaign = await boardOf(page, 'Salon international des équipements de restauration collective et hôtelière', 12);
  const card = await column(page, /^Salle d’attente/).getByRole('link').first().getAttribute('href') ?? '';
  for (const width of [390, 768, 1024]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : width === 768 ? 1024 : 768 });
    for (const path of [`${campaign}/tableau`, card]) {
      await page.goto(path);
      await hydrated(page);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect(scroll, `${path} at ${width}`).toBeLessThanOrEqual(client);
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => `${path} at ${width}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
    }
  }
  // On a phone: one stage at a time, chosen by its tab.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${campaign}/tableau`);
  await hydrated(page);
  await expect(column(page, /^Salle d’attente/)).toBeVisible();
  await expect(column(page, /^Four/)).toBeHidden();
  await page.getByRole('link', { name: 'Four (0)' }).click();
  await expect(column(page, /^Four/)).toBeVisible();
  await expect(column(page, /^Salle d’attente/)).toBeHidden();
});
