import path from 'path';
import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { addDistributor, signIn, submitCampaign } from './helpers';

const FILES = path.join(__dirname, '../../import/tests/files');

/** Claire with a fresh campaign; ends on its Prospects tab. */
async function campaignProspects(page: Page, name: string): Promise<string> {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, `Distribution ${name}`);
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name, distributor: `Distribution ${name}`, starts: '10/03/2099', ends: '12/03/2099' });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  await page.getByRole('link', { name: 'Prospects', exact: true }).click();
  await expect(page).toHaveURL(/\/prospects$/);
  await hydrated(page);
  return new URL(page.url()).pathname;
}

/** Sends `file` from the Prospects tab; ends on its mapping page. */
async function upload(page: Page, file: string) {
  await page.getByLabel('Fichier de contacts').setInputFiles(path.join(FILES, file));
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await expect(page).toHaveURL(/\/import\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: 'Vérifier les colonnes' })).toBeVisible();
  await hydrated(page);
}

test('a rep uploads a file, corrects a column, sees the summary and undoes the import', async ({ page }) => {
  const tab = await campaignProspects(page, 'Salon des imports');
  await upload(page, 'excel-fr.csv');
  // Proposed from the French headers, read in Windows-1252.
  await expect(page.getByLabel('Prénom', { exact: true })).toHaveValue('first_name');
  await expect(page.getByLabel('E-mail', { exact: true })).toHaveValue('email');
  await expect(page.getByText('Léa', { exact: true })).toBeVisible();
  // The rep keeps the town as extra data.
  await expect(page.getByLabel('Ville', { exact: true })).toHaveValue('city');
  await page.getByLabel('Ville', { exact: true }).selectOption({ label: 'Données supplémentaires' });
  await page.getByRole('button', { name: 'Importer les contacts' }).click();

  await expect(page).toHaveURL(/\/imports\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Import terminé : 191 contacts ajoutés, 4 lignes rejetées.')).toBeVisible();
  const figure = (label: string) => page.locator('.figures dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  await expect(figure('Lignes lues')).toHaveText('200');
  await expect(figure('Lignes valides')).toHaveText('196');
  // New or already known: other tests of the run may have imported the same people.
  await expect(figure('Ajoutés à la campagne')).toHaveText('191');
  await expect(figure('Doublons dans le fichier')).toHaveText('5');
  await expect(figure('Lignes rejetées')).toHaveText('4');
  await expect(page.locator('.rejections tbody tr')).toHaveCount(4);
  await expect(page.locator('.rejections tbody tr').first()).toContainText('19');
  const csv = await page.request.get(await page.getByRole('link', { name: /Télécharger les lignes rejetées/ }).getAttribute('href') ?? '');
  expect((await csv.text()).split('\n')[1]).toBe('19;invalid email;L’adresse e-mail n’est pas valide.');

  await page.goto(tab);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Prospects (191)' })).toBeVisible();
  await page.getByRole('link', { name: 'excel-fr.csv' }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Annuler cet import' }).click();
  await expect(page.getByText(/^Import annulé : 191 contacts retirés de la campagne/)).toBeVisible();
  await expect(page.locator('.page-head .badge')).toHaveText('Annulé');
  await expect(page.getByRole('button', { name: 'Annuler cet import' })).toHaveCount(0);
  await page.goto(tab);
  await expect(page.getByRole('heading', { name: 'Prospects (0)' })).toBeVisible();
});

test('a prospect typed in at the stand joins the campaign, and the form is ready for the next', async ({ page }) => {
  await campaignProspects(page, 'Salon de la saisie');
  await page.getByLabel('E-mail', { exact: true }).fill('anne.durand@');
  await page.getByLabel('Prénom', { exact: true }).fill('Anne <B12>');
  await page.getByRole('button', { name: 'Ajouter le prospect' }).click();
  // Refused: what was typed stays, with what to correct.
  await expect(page.getByText(/^Cette adresse e-mail n’est pas valide/)).toBeVisible();
  await expect(page.getByLabel('Prénom', { exact: true })).toHaveValue('Anne <B12>');
  await page.getByLabel('E-mail', { exact: true }).fill(' Anne.Durand@Cafe-Exemple.FR ');
  await page.getByLabel('Prénom', { exact: true }).fill('Anne');
  await page.getByLabel('Nom', { exact: true }).fill('Durand');
  await page.getByLabel('Société', { exact: true }).fill('Café Anne');
  await page.getByRole('button', { name: 'Ajouter le prospect' }).click();
  await expect(page.getByText('Prospect ajouté.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Prospects (1)' })).toBeVisible();
  await expect(page.getByText('anne.durand@cafe-exemple.fr')).toBeVisible();
  await expect(page.getByLabel('E-mail', { exact: true })).toHaveValue('');
});

test('a file that is not a table is refused on the Prospects tab, in French', async ({ page }) => {
  await campaignProspects(page, 'Salon des refus');
  await page.getByLabel('Fichier de contacts').setInputFiles(path.join(FILES, 'scanned.pdf'));
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await expect(page).toHaveURL(/\/prospects$/);
  await expect(page.getByRole('alert')).toContainText('Ce fichier n’est pas un tableau de contacts');
});

test('a rep finds a prospect, edits it, marks it do-not-contact and erases it for good', async ({ page }) => {
  await campaignProspects(page, 'Salon des fiches');
  // Addresses of this run only: an erased address stays on the rep's suppression list.
  const stamp = Date.now();
  const rows = Array.from({ length: 60 }, (_, i) => `Contact${i};Fiche${String(i).padStart(2, '0')};Société ${i};fiche${i}.${stamp}@exemple.fr;Lyon`);
  rows.push(`Zoé;Ardent;Café Zéphyr;zoe.${stamp}@exemple.fr;Villeurbanne`);
  await page.getByLabel('Fichier de contacts').setInputFiles({
    name: 'fiches.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(['Prénom;Nom;Société;E-mail;Ville', ...rows].join('\n')),
  });
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await expect(page).toHaveURL(/\/import\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Importer les contacts' }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f-]{36}$/);
  await page.getByRole('link', { name: /← Prospects/ }).click();

  // Fifty a page, by name: Zoé Ardent first, then the next page.
  await expect(page.getByRole('heading', { name: 'Prospects (61)' })).toBeVisible();
  await expect(page.locator('ul.prospects > li')).toHaveCount(50);
  await expect(page.locator('ul.prospects > li').first()).toContainText('Zoé Ardent');
  await page.getByRole('link', { name: 'Suivants →' }).click();
  await expect(page.locator('ul.prospects > li')).toHaveCount(11);
  await expect(page.getByRole('link', { name: 'Suivants →' })).toHaveCount(0);

  // Found by her company, accents and case aside.
  await page.getByRole('searchbox', { name: 'Rechercher' }).fill('ZEPHYR');
  await page.getByRole('button', { name: 'Afficher' }).click();
  await expect(page.getByText('1 prospect trouvé')).toBeVisible();
  await page.getByRole('link', { name: 'Zoé Ardent' }).click();
  await expect(page.getByRole('heading', { name: 'Zoé Ardent', level: 1 })).toBeVisible();
  await expect(page.getByText(/Importé du fichier « fiches\.csv » au salon « Salon des fiches »/)).toBeVisible();

  // An edit, shown in the history.
  await page.getByLabel('Ville', { exact: true }).fill('Lyon 3e');
  await page.getByLabel('Portable', { exact: true }).fill('06 12 34 56 78');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByText('Prospect enregistré.')).toBeVisible();
  await expect(page.getByLabel('Ville', { exact: true })).toHaveValue('Lyon 3e');
  await expect(page.getByText('Ville : Villeurbanne → Lyon 3e')).toBeVisible();

  // No more mails for her.
  await page.getByRole('button', { name: 'Ne plus contacter' }).click();
  await expect(page.getByText('Ce contact ne veut plus être contacté : aucun mail ne lui sera envoyé.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Retirer la marque' })).toBeVisible();

  // Erased once confirmed; the tab no longer has her.
  const erase = page.getByRole('button', { name: 'Effacer définitivement' });
  await erase.click();
  await expect(page.getByRole('heading', { name: 'Zoé Ardent', level: 1 })).toBeVisible();
  await page.getByLabel('Je confirme l’effacement définitif de ce contact').check();
  await erase.click();
  await expect(page.getByText('Contact effacé définitivement. Son adresse ne sera plus importée.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Prospects (60)' })).toBeVisible();
  await expect(page.getByText(`zoe.${stamp}@exemple.fr`)).toHaveCount(0);
});

test('the prospect pages fit 390, 768 and 1024 px wide with no sideways scroll, and pass axe', async ({ page }) => {
  test.setTimeout(120_000);
  const tab = await campaignProspects(page, 'Salon international des équipements de restauration collective');
  // Outlook's export: about ninety columns to map.
  await upload(page, 'outlook-contacts.csv');
  const mapping = new URL(page.url()).pathname;
  await page.goto(tab);
  await upload(page, 'linkedin-connections.csv');
  await page.getByRole('button', { name: 'Importer les contacts' }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f-]{36}$/);
  const report = new URL(page.url()).pathname;
  await page.goto(tab);
  const prospect = await page.locator('ul.prospects a').first().getAttribute('href') ?? '';

  for (const width of [390, 768, 1024]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : width === 768 ? 1024 : 768 });
    for (const path of [tab, mapping, report, prospect]) {
      await page.goto(path);
      await hydrated(page);
      const { scroll, client, widest } = await page.evaluate(() => {
        const client = document.documentElement.clientWidth;
        // The deepest elements past the right edge, to say what to fix.
        const widest = [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > client + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > client + 1))
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
        return { scroll: document.documentElement.scrollWidth, client, widest };
      });
      expect(scroll, `${path} is ${scroll} px wide in ${client} px: ${widest.join(', ')}`).toBeLessThanOrEqual(client);
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => `${path} at ${width}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
    }
  }
});
