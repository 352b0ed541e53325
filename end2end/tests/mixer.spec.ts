import path from 'node:path';
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { addDistributor, expectFitAndAccessible, signIn, submitCampaign } from './helpers';

/** The sandbox standing in for Microsoft (and Graph) in this run. */
const sandbox = `http://127.0.0.1:${process.env.SPINE_E2E_SANDBOX_PORT ?? 3102}`;
// Julien: the sending tests connect Claire's mailbox and set her pace.
const julien = 'julien.bernard@demo-salons.example.test';
const files = path.join(__dirname, '..', '..', 'catalogue', 'tests', 'files');

type Sent = { subject: string; to: string[]; content: string };

async function sentTo(address: string): Promise<Sent[]> {
  const res = await fetch(`${sandbox}/_sandbox/mailbox/${address}`);
  return res.json();
}

/** A campaign whose catalogue is read and published; ends on its Catalogue tab. */
async function campaignWithProducts(page: Page, name: string): Promise<string> {
  await addDistributor(page, `Distribution ${name}`);
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name, distributor: `Distribution ${name}`, starts: '10/03/2099', ends: '12/03/2099' });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  const campaign = new URL(page.url()).pathname;
  await page.goto(`${campaign}/catalogue`);
  await page.getByLabel('Catalogue (PDF)').setInputFiles(path.join(files, 'sample-grid.pdf'));
  await page.getByRole('button', { name: 'Envoyer le catalogue' }).click();
  await expect(page.getByText('12 produits lus')).toBeVisible({ timeout: 120_000 });
  await page.getByRole('link', { name: 'Vérifier les produits' }).click();
  await page.getByRole('button', { name: 'Tout approuver (12)' }).click();
  await page.getByRole('button', { name: 'Publier les produits approuvés (12)' }).click();
  await expect(page.getByText('12 produits publiés.')).toBeVisible();
  return campaign;
}

/** On the stand screen: adds a visitor, taps products `picks` (by place), and a note. */
async function visitor(page: Page, campaign: string, who: { email: string; first?: string; company: string }, picks: number[]): Promise<string[]> {
  await page.goto(`${campaign}/stand`);
  await page.getByLabel('E-mail', { exact: true }).fill(who.email);
  if (who.first) await page.getByLabel('Prénom', { exact: true }).fill(who.first);
  await page.getByLabel('Société', { exact: true }).fill(who.company);
  // Tapped twice on a weak network: one contact.
  await page.getByRole('button', { name: 'Ajouter et choisir ses produits' }).dblclick();
  await expect(page.getByRole('heading', { name: 'Produits qui l’ont intéressé (0)' })).toBeVisible();
  const names: string[] = [];
  for (const [i, at] of picks.entries()) {
    const button = page.locator('.pick-button').nth(at);
    names.push((await button.locator('strong').textContent())!.trim());
    await button.click();
    await expect(page.getByRole('heading', { name: `Produits qui l’ont intéressé (${i + 1})` })).toBeVisible();
  }
  await page.getByLabel('Ce qu’il faut retenir (projet, délai, budget…)').fill('Rappeler après le salon');
  await page.getByRole('button', { name: 'Terminé — contact suivant' }).click();
  await expect(page.getByText('Contact enregistré. Au suivant !')).toBeVisible();
  return names;
}

test('a rep notes products for two visitors, writes a template with a fallback, previews both, queues them and they arrive with their products', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, 'Julien Bernard');
  const campaign = await campaignWithProducts(page, 'Salon du mixer');
  const stamp = Date.now();
  const lea = { email: `lea.${stamp}@bistrot.example`, first: 'Léa', company: 'Bistrot Léa' };
  const anon = { email: `contact.${stamp}@etoile.example`, company: '[Étoile](http://evil.example) **SA**' };
  const leaProducts = await visitor(page, campaign, lea, [0, 2]);
  const anonProducts = await visitor(page, campaign, anon, [5]);

  // The stand finds a visitor again as the rep types (no button tapped).
  await page.goto(`${campaign}/stand`);
  await expect(page.locator('[data-live-results] .pick-button')).toHaveCount(2);
  await page.getByLabel('Nom, société ou e-mail').pressSequentially('bistrot', { delay: 30 });
  await expect(page.locator('[data-live-results] .pick-button')).toHaveCount(1);
  await expect(page.locator('[data-live-results] .pick-button')).toContainText('Léa');
  await expect(page).toHaveURL(/q=bistrot/);

  // A template with a fallback for the visitor without a first name.
  await page.goto('/compte/modeles/nouveau');
  await page.getByLabel('Nom du modèle', { exact: true }).fill(`Merci ${stamp}`);
  await page.getByLabel('Objet', { exact: true }).fill('Suite au salon {{salon}}');
  await page.getByLabel(/^Message/).fill('Bonjour {{prenom|Madame, Monsieur}},\n\nMerci de votre visite chez {{societe}}.\n\n{{produits}}\n\nÀ bientôt.');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByText('Modèle enregistré.')).toBeVisible();

  // The mixer previews each visitor's own mail.
  await page.goto(`${campaign}/mixer`);
  await page.getByRole('combobox', { name: 'Modèle' }).selectOption({ label: `Merci ${stamp}` });
  await page.getByRole('button', { name: 'Afficher' }).click();
  const preview = page.locator('.mail-preview');
  const recipient = page.locator('.stepper .to');
  // In the mixer's order (by name): the visitor without one first, then Léa.
  await expect(recipient).toContainText(anon.email);
  await expect(preview).toContainText('Bonjour Madame, Monsieur,');
  await expect(preview).toContainText('[Étoile](http://evil.example) **SA**');
  await expect(preview.locator('a[href^="http://evil"]')).toHaveCount(0);
  await expect(preview).toContainText(anonProducts[0]);
  for (const name of leaProducts) await expect(preview).not.toContainText(name);
  await page.getByRole('link', { name: 'Suivant →' }).click();
  await expect(recipient).toContainText(lea.email);
  await expect(preview).toContainText('Bonjour Léa,');
  for (const name of leaProducts) await expect(preview).toContainText(name);
  await expect(preview).not.toContainText(anonProducts[0]);
  await page.getByRole('link', { name: '← Précédent' }).click();
  await expect(recipient).toContainText(anon.email);
  await expect(page.locator('.warnings')).toContainText('Pas de prénom pour ce contact.');

  // The template edited beside the preview: the preview follows what is typed, and says
  // where a template does not read.
  await page.getByText('Modifier ce modèle (l’aperçu suit)').click();
  await page.getByLabel('Objet du modèle').fill('Merci pour {{salon}}, {{societe}}');
  await expect(page.locator('[data-preview-subject]')).toHaveText('Merci pour Salon du mixer, [Étoile](http://evil.example) **SA**');
  await page.getByLabel('Objet du modèle').fill('Merci {{salon');
  await expect(page.locator('[data-preview-error]')).toContainText('Ligne 1, colonne 7');
  await page.getByLabel('Objet du modèle').fill('Suite au salon {{salon}}');
  await expect(page.locator('[data-preview-error]')).toBeHidden();

  // The mailbox connected, a pace for any hour of any day (the test runs whenever), then the
  // two visitors queued (tapped twice: once each).
  await page.goto('/compte/envoi');
  await page.getByRole('link', { name: 'Connecter ma boîte Outlook' }).click();
  await page.getByRole('button', { name: /Julien Bernard/ }).first().click();
  await expect(page).toHaveURL(/\/compte\/envoi$/);
  await page.getByLabel('Mails de prospection par jour, au plus').fill('10000');
  await page.getByLabel('Envoyer à partir de').fill('00:00');
  await page.getByLabel('Jusqu’à').fill('23:59');
  await page.getByLabel('Du lundi au vendredi seulement').uncheck();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.getByText('Rythme d’envoi enregistré.')).toBeVisible();
  await page.goto(`${campaign}/mixer`);
  await page.getByRole('combobox', { name: 'Modèle' }).selectOption({ label: `Merci ${stamp}` });
  await page.getByRole('button', { name: 'Afficher' }).click();
  await page.getByLabel(/Ceux qui ont un produit d’intérêt \(2\)/).check();
  await page.getByRole('button', { name: 'Mettre en file d’attente' }).dblclick();
  await expect(page.getByText(/2 mails mis en file d’attente/)).toBeVisible();

  const to = async (address: string) => (await sentTo(julien)).filter((m) => m.to.includes(address));
  await expect.poll(async () => (await to(lea.email)).length + (await to(anon.email)).length, { timeout: 30_000 }).toBe(2);
  const [toLea] = await to(lea.email);
  expect(toLea.subject).toBe('Suite au salon Salon du mixer');
  for (const name of leaProducts) expect(toLea.content).toContain(name);
  expect(toLea.content).not.toContain(anonProducts[0]);
  expect(toLea.content).toContain('se désinscrire');
  const [toAnon] = await to(anon.email);
  expect(toAnon.content).toContain('Bonjour Madame, Monsieur,');
  expect(toAnon.content).toContain(anonProducts[0]);

  // The mixer's pages fit a phone, a tablet and a laptop, and pass axe.
  const prospect = await page.locator('.roster input[type="checkbox"]').first().getAttribute('value');
  const pages = [
    `${campaign}/mixer`,
    `${campaign}/stand`,
    `${campaign}/stand?prospect=${prospect}`,
    `${campaign}/produits/${prospect}`,
    '/compte/modeles',
    '/compte/modeles/nouveau',
  ];
  await expectFitAndAccessible(page, pages);
});
