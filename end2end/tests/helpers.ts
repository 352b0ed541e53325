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
