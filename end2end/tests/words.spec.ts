import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn, submitCampaign } from './helpers';

test('a missing distributor says so in its own words and leads back to the distributors', async ({ page, consoleErrors }) => {
  await signIn(page, 'Claire Martin');
  const response = await page.goto('/distributeurs/00000000-0000-4000-8000-000000000000');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Distributeur introuvable');
  await expect(page).toHaveTitle(/Distributeur introuvable/);
  await expect(page.getByText('Ce distributeur a peut-être été supprimé')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Revenir aux distributeurs' })).toHaveAttribute('href', '/distributeurs');
  // The browser logs the page's own 404 status; nothing else.
  expect(consoleErrors.filter((e) => !/status of 404 .*\/distributeurs\/0000/.test(e))).toEqual([]);
  consoleErrors.length = 0;
});

test('the search finds words whatever the punctuation, in the venue and the city, with a clean link', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Recherche & Cie');
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await page.getByLabel('Nom du salon').fill('Equip’Hôtel Recherche');
  await page.locator('select[name="form[distributor_id]"]').selectOption({ label: 'Recherche & Cie' });
  await page.getByLabel('Lieu (facultatif)').fill('Porte de Versailles');
  await page.getByLabel('Ville (facultatif)').fill('Issy-les-Moulineaux');
  await page.getByLabel('Début (jj/mm/aaaa)').fill('02/11/2099');
  await page.getByLabel('Fin (jj/mm/aaaa)').fill('06/11/2099');
  await page.getByRole('button', { name: 'Créer la campagne' }).click();
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);

  await page.goto('/campagnes');
  await hydrated(page);
  for (const q of ['equip hotel recherche', 'versailles recherche', 'issy moulineaux recherche']) {
    await page.getByLabel('Rechercher un salon').fill(q);
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page.getByRole('link', { name: 'Equip’Hôtel Recherche' })).toBeVisible();
    await expect(page.locator('.total')).toHaveText('1 campagne');
    expect(page.url()).not.toContain('&=');
    expect(new URL(page.url()).searchParams.has('distributeur')).toBe(false);
  }
  await page.getByLabel('Rechercher un salon').fill('aucun salon ne porte ce nom');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page.getByText('Aucune campagne ne correspond à cette recherche.')).toBeVisible();
  await page.getByRole('link', { name: 'Voir toutes les campagnes' }).click();
  await expect(page.getByRole('link', { name: 'Equip’Hôtel Recherche' })).toBeVisible();
});

test('the list goes back as well as forward, and says how many campaigns it holds', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Pages & Pages');
  // 27 campaigns: two pages of 25.
  const distributor = await page.locator('a', { hasText: /^Pages & Pages$/ }).getAttribute('href');
  const id = distributor!.split('/').pop()!;
  for (let i = 0; i < 27; i++) {
    const res = await page.request.post('/api/save_campaign', {
      headers: { accept: 'application/json', origin: new URL(page.url()).origin },
      form: {
        'form[name]': `Salon paginé ${String(i).padStart(2, '0')}`,
        'form[distributor_id]': id,
        'form[venue]': '',
        'form[city]': '',
        'form[starts_on]': `${String(1 + (i % 28)).padStart(2, '0')}/03/2098`,
        'form[ends_on]': `${String(1 + (i % 28)).padStart(2, '0')}/03/2098`,
      },
    });
    expect(res.status()).toBe(200);
  }
  await page.goto('/campagnes?q=pagine');
  await hydrated(page);
  await expect(page.locator('.total')).toHaveText('27 campagnes');
  await expect(page.locator('.campaign-row')).toHaveCount(25);
  await expect(page.getByRole('link', { name: '← Campagnes précédentes' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Campagnes suivantes →' }).click();
  await expect(page.locator('.campaign-row')).toHaveCount(2);
  await page.getByRole('link', { name: '← Campagnes précédentes' }).click();
  await expect(page.locator('.campaign-row')).toHaveCount(25);
  await expect(page.getByRole('link', { name: '← Campagnes précédentes' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Campagnes suivantes →' })).toBeVisible();
});

test('a distributor deleted meanwhile leaves the campaign form once the save says so', async ({ page, browser }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Bientôt supprimé');
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  const select = page.locator('select[name="form[distributor_id]"]');
  await expect(select.locator('option', { hasText: 'Bientôt supprimé' })).toHaveCount(1);
  // Deleted from another tab.
  const other = await page.context().newPage();
  await other.goto('/distributeurs');
  await hydrated(other);
  await other.getByRole('link', { name: 'Supprimer Bientôt supprimé' }).click();
  await other.getByRole('button', { name: 'Confirmer la suppression de Bientôt supprimé' }).click();
  await expect(other.getByRole('status')).toContainText('supprimé.');
  await other.close();

  await submitCampaign(page, { name: 'Salon orphelin', distributor: 'Bientôt supprimé', starts: '01/01/2099', ends: '02/01/2099' });
  await expect(page.getByText('Ce distributeur n’existe pas ou plus.')).toBeVisible();
  await expect(select.locator('option', { hasText: 'Bientôt supprimé' })).toHaveCount(0);
});

test('the history names distributors, follows the form and lists only what was set or changed', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Histoire Avant');
  await addDistributor(page, 'Histoire Après');
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name: 'Salon historique', distributor: 'Histoire Avant', starts: '01/04/2099', ends: '03/04/2099' });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByRole('link', { name: 'Modifier' }).click();
  await hydrated(page);
  await page.locator('select[name="form[distributor_id]"]').selectOption({ label: 'Histoire Après' });
  await page.getByLabel('Ville (facultatif)').fill('Nantes');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByRole('status')).toContainText('Modifications enregistrées.');
  const entries = page.locator('.history-list > li');
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0).locator('.changes li')).toHaveText([
    'Distributeur : Histoire Avant → Histoire Après',
    'Ville : — → Nantes',
  ]);
  await expect(entries.nth(1).locator('.changes li')).toHaveText([
    'Nom : Salon historique',
    'Distributeur : Histoire Avant',
    'Début : 01/04/2099',
    'Fin : 03/04/2099',
  ]);
});

test('the signed-in home opens on the shows running today and the next ones, one tap away', async ({ page }) => {
  const day = (offset: number) => {
    const d = new Date(Date.now() + offset * 86_400_000);
    return d.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' });
  };
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bienvenue sur Spine');
  await expect(page.getByRole('main').getByRole('link', { name: 'Se connecter' })).toBeVisible();

  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Accueil & Co');
  for (const [name, starts, ends] of [
    ['Salon du jour', day(-1), day(1)],
    ['Salon de demain', day(1), day(2)],
  ]) {
    await page.goto('/campagnes/nouvelle');
    await hydrated(page);
    await submitCampaign(page, { name, distributor: 'Accueil & Co', starts, ends });
    await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  }
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Aujourd’hui');
  const running = page.locator('h2:text("Salons en cours") + ul');
  await expect(running.getByRole('link', { name: 'Salon du jour' })).toBeVisible();
  const next = page.locator('h2:text("Prochains salons") + ul');
  await expect(next.getByRole('link', { name: 'Salon de demain' })).toBeVisible();
  await next.getByRole('link', { name: 'Salon de demain' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Salon de demain');
});
