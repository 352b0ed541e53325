import AxeBuilder from '@axe-core/playwright';
import { Page, expect } from '@playwright/test';
import { hydrated } from './fixtures';

/** Signs in through the sandbox's account page as the account whose button shows `name`. */
export async function signIn(page: Page, name: string) {
  await page.goto('/connexion');
  await page.getByRole('link', { name: 'Se connecter avec Microsoft' }).click();
  await page.getByRole('button', { name: new RegExp(name) }).first().click();
  await expect(page.locator('.user-menu .user-name')).toHaveText(name);
  await hydrated(page);
}

/** Fills the campaign form (new or edit page) and submits it. Dates are jj/mm/aaaa. */
export async function submitCampaign(
  page: Page,
  campaign: { name: string; distributor: string; starts: string; ends: string },
) {
  await page.getByLabel('Nom du salon').fill(campaign.name);
  await page.locator('select[name="form[distributor_id]"]').selectOption({ label: campaign.distributor });
  await page.getByLabel('Début (jj/mm/aaaa)').fill(campaign.starts);
  await page.getByLabel('Fin (jj/mm/aaaa)').fill(campaign.ends);
  await page.getByRole('button', { name: /Créer la campagne|Enregistrer/ }).click();
}

/** Adds a distributor through its page; ends on the list, which shows it. */
export async function addDistributor(page: Page, name: string) {
  await page.goto('/distributeurs/nouveau');
  await hydrated(page);
  await page.getByLabel('Nom du distributeur').fill(name);
  await page.getByRole('button', { name: 'Ajouter le distributeur' }).click();
  await expect(page).toHaveURL(/\/distributeurs$/);
  await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
}

/** Each of `pages` at a phone's, a tablet's and a laptop's width: no sideways scroll, no axe
 * violation. */
export async function expectFitAndAccessible(page: Page, pages: string[]) {
  for (const width of [390, 768, 1024]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : width === 768 ? 1024 : 768 });
    for (const at of pages) {
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
}
