import { test, expect, hydrated } from './fixtures';
import { signIn } from './helpers';

test('a rep signs in with Microsoft, sees their name, signs out, and is asked to sign in again', async ({ page }) => {
  // A protected page sends a visitor to the sign-in page.
  await page.goto('/compte');
  await expect(page).toHaveURL(/\/connexion\?next=\/compte$/);
  await hydrated(page);

  await page.getByRole('link', { name: 'Se connecter avec Microsoft' }).click();
  await expect(page.getByRole('heading', { name: 'Choisissez un compte' })).toBeVisible();
  await page.getByRole('button', { name: /Claire Martin/ }).first().click();

  // Back on the page that asked for sign-in.
  await expect(page).toHaveURL(/\/compte$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  await expect(page.locator('.user-menu .user-name')).toHaveText('Claire Martin');
  await expect(page.locator('.account-name')).toHaveText('Claire Martin');
  await hydrated(page);

  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/connexion\?deconnecte=1$/);
  await expect(page.getByRole('status')).toHaveText('Déconnexion effectuée.');
  await expect(page.getByRole('link', { name: 'Se connecter', exact: true })).toBeVisible();

  await page.goto('/compte');
  await expect(page).toHaveURL(/\/connexion\?next=\/compte$/);
});

test('after signing out on a shared tablet, Back does not show the previous rep\'s pages', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await page.goto('/compte');
  await expect(page.locator('.account-name')).toHaveText('Claire Martin');
  await hydrated(page);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/connexion\?deconnecte=1$/);

  await page.goBack();
  // The browser kept nothing: it asks the server again, which wants a sign-in.
  await expect(page).toHaveURL(/\/connexion\?next=\/compte$/);
  await expect(page.getByText('Claire Martin')).toHaveCount(0);
});
