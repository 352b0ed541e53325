import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn } from './helpers';

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

test('when the session ends under an open page, the rep is told, signs in again and loses nothing typed', async ({ page, consoleErrors }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Avant expiration');
  await page.goto('/distributeurs/nouveau');
  await hydrated(page);

  // The session ends (expired on the server, or signed out in another tab).
  const cookies = await page.context().cookies();
  await page.context().clearCookies();

  // A form: the message says so, what was typed stays.
  await page.getByLabel('Nom du distributeur').fill('Saisi pendant l’absence');
  await page.getByRole('button', { name: 'Ajouter le distributeur' }).click();
  await expect(page.getByText('Votre session a expiré.')).toBeVisible();
  await expect(page.getByLabel('Nom du distributeur')).toHaveValue('Saisi pendant l’absence');
  const again = page.getByRole('link', { name: 'Se reconnecter (nouvel onglet)' });
  await expect(again).toHaveAttribute('href', '/connexion?next=/distributeurs/nouveau&erreur=expiree');
  // The header no longer names the rep.
  await expect(page.locator('.user-menu .user-name')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Se connecter', exact: true })).toBeVisible();

  // Signed in again (another tab shares the cookies): the same submit now works.
  await page.context().addCookies(cookies);
  await page.getByRole('button', { name: 'Ajouter le distributeur' }).click();
  await expect(page.getByRole('link', { name: 'Saisi pendant l’absence', exact: true })).toBeVisible();

  // A page: "expired", not "not found" or "invalid request", and a way back to it.
  await page.context().clearCookies();
  await page.getByRole('link', { name: 'Avant expiration', exact: true }).click();
  await expect(page.getByText('Votre session a expiré.')).toBeVisible();
  await expect(page.getByText('Introuvable')).toHaveCount(0);
  await page.getByRole('link', { name: 'Se reconnecter', exact: true }).click();
  await expect(page).toHaveURL(/\/connexion\?next=\/distributeurs\/[0-9a-f-]{36}&erreur=expiree$/);
  await expect(page.getByRole('alert')).toContainText('Votre session a expiré.');
  await page.getByRole('link', { name: 'Se connecter avec Microsoft' }).click();
  await page.getByRole('button', { name: /Claire Martin/ }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Avant expiration');

  // The browser logged the 401 answers; nothing else went wrong.
  expect(consoleErrors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  consoleErrors.length = 0;
});
