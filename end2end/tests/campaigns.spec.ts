import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn } from './helpers';

test('a rep creates a distributor and a campaign, finds, edits and archives it, sees its history; another rep sees none of it', async ({ page, browser }) => {
  await signIn(page, 'Claire Martin');

  await addDistributor(page, 'Métro Lyon');

  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await page.getByLabel('Nom du salon').fill('Sirha Lyon 2099');
  await page.locator('select[name="form[distributor_id]"]').selectOption({ label: 'Métro Lyon' });
  await page.getByLabel('Lieu (facultatif)').fill('Eurexpo');
  await page.getByLabel('Ville (facultatif)').fill('Lyon');
  await page.getByLabel('Début (jj/mm/aaaa)').fill('25/01/2099');
  await page.getByLabel('Fin (jj/mm/aaaa)').fill('21/01/2099');
  await page.getByRole('button', { name: 'Créer la campagne' }).click();
  // The error sits next to the field, in French, and nothing is created.
  await expect(page.getByText('La date de fin doit être le jour du début ou après.')).toBeVisible();
  await page.getByLabel('Début (jj/mm/aaaa)').fill('21/01/2099');
  await page.getByLabel('Fin (jj/mm/aaaa)').fill('25/01/2099');
  await page.getByRole('button', { name: 'Créer la campagne' }).click();
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sirha Lyon 2099');
  await expect(page.getByText('du 21/01/2099 au 25/01/2099')).toBeVisible();
  const hub = page.url();

  // Found with the filters: upcoming, searched without accent or capital.
  await page.goto('/campagnes');
  await hydrated(page);
  await page.getByRole('link', { name: 'À venir' }).click();
  await page.getByLabel('Rechercher un salon').fill('sirha lyon');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/q=sirha/);
  await page.getByRole('link', { name: 'Sirha Lyon 2099' }).click();
  await expect(page).toHaveURL(hub);

  // Edited.
  await hydrated(page);
  await page.getByRole('link', { name: 'Modifier' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Modifier la campagne');
  await hydrated(page);
  await page.getByLabel('Ville (facultatif)').fill('Chassieu');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page).toHaveURL(hub);
  await expect(page.locator('.facts')).toContainText('Chassieu');

  // Archived, and the history tells it all.
  await hydrated(page);
  await page.getByRole('button', { name: 'Archiver' }).click();
  await expect(page.locator('.page-head .badge')).toHaveText('Archivée');
  await expect(page.getByRole('button', { name: 'Restaurer' })).toBeVisible();
  const history = page.locator('.history-list > li');
  await expect(history).toHaveCount(3);
  await expect(history.nth(0)).toContainText('Archivage par Claire Martin');
  await expect(history.nth(1)).toContainText('Modification par Claire Martin');
  await expect(history.nth(1)).toContainText('Lyon → Chassieu');
  await expect(history.nth(2)).toContainText('Création par Claire Martin');

  // A distributor in use is not deleted, and deleting asks first.
  await page.goto('/distributeurs');
  await hydrated(page);
  await page.getByRole('link', { name: 'Supprimer Métro Lyon' }).click();
  await page.getByRole('link', { name: 'Annuler' }).click();
  await page.getByRole('link', { name: 'Supprimer Métro Lyon' }).click();
  await page.getByRole('button', { name: 'Confirmer la suppression de Métro Lyon' }).click();
  await expect(page.getByRole('alert')).toContainText('Métro Lyon est utilisé par 1 campagne');
  await expect(page.getByRole('link', { name: 'Métro Lyon', exact: true })).toBeVisible();

  // Another rep sees none of it.
  const other = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR' });
  const julien = await other.newPage();
  await signIn(julien, 'Julien Bernard');
  await julien.goto('/campagnes?statut=archivees');
  await expect(julien.getByText('Vous n’avez pas encore de campagne.', { exact: false })).toBeVisible();
  await expect(julien.getByRole('link', { name: 'Créer votre première campagne' })).toBeVisible();
  const response = await julien.goto(hub);
  expect(response?.status()).toBe(404);
  await expect(julien.getByRole('heading', { name: 'Campagne introuvable' })).toBeVisible();
  await expect(julien).toHaveTitle(/Campagne introuvable/);
  await julien.goto('/distributeurs');
  await expect(julien.getByText('Aucun distributeur pour l’instant', { exact: false })).toBeVisible();
  await other.close();
});
