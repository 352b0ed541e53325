import { test, expect, hydrated } from './fixtures';
import { addDistributor, expectFitAndAccessible, signIn, submitCampaign } from './helpers';

/** The sandbox standing in for Microsoft (and Graph) in this run. */
const sandbox = `http://127.0.0.1:${process.env.SPINE_E2E_SANDBOX_PORT ?? 3102}`;
const claire = 'claire.martin@demo-salons.example.test';

async function sentTo(address: string): Promise<{ subject: string; to: string[] }[]> {
  const res = await fetch(`${sandbox}/_sandbox/mailbox/${address}`);
  return res.json();
}

test('a rep connects their Outlook mailbox, sends themselves a test and it arrives', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await page.goto('/compte');
  await page.getByRole('link', { name: /Envoi des mails/ }).click();
  await expect(page.getByRole('heading', { name: 'Envoi des mails', level: 1 })).toBeVisible();
  const before = (await sentTo(claire)).length;

  await page.getByRole('link', { name: 'Connecter ma boîte Outlook' }).click();
  // Microsoft (the sandbox) asks which account consents: the rep's own, first.
  await page.getByRole('button', { name: /Claire Martin/ }).first().click();
  await expect(page).toHaveURL(/\/compte\/envoi$/);
  await expect(page.getByText(`Boîte Outlook connectée : ${claire}`)).toBeVisible();

  // Tapped twice on a weak network: one test.
  await page.getByRole('button', { name: 'M’envoyer un test' }).dblclick();
  await expect(page.getByText(`Test en route vers ${claire}`)).toBeVisible();
  await expect.poll(async () => (await sentTo(claire)).length, { timeout: 20_000 }).toBe(before + 1);
  const last = (await sentTo(claire)).at(-1)!;
  expect(last.subject).toBe('Test d’envoi Spine');
  expect(last.to).toEqual([claire]);
  await expect.poll(async () => {
    await page.reload();
    return page.locator('.mails .mail').first().textContent();
  }).toContain('Envoyé');

  // The pace, in the rep's words.
  await page.getByLabel('Mails de prospection par jour, au plus').fill('80');
  await page.getByLabel('Envoyer à partir de').fill('09:00');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.getByText('Rythme d’envoi enregistré.')).toBeVisible();
  await expect(page.getByLabel('Mails de prospection par jour, au plus')).toHaveValue('80');
  await page.getByLabel('Envoyer à partir de').fill('20:00');
  await page.getByLabel('Jusqu’à').fill('19:00');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.getByText('L’heure de fin doit venir après l’heure de début.')).toBeVisible();
});

test('the sending pages fit 390, 768 and 1024 px with no sideways scroll and pass axe', async ({ page }) => {
  await signIn(page, 'Claire Martin');
  await addDistributor(page, 'Distribution Envois');
  await page.goto('/campagnes/nouvelle');
  await hydrated(page);
  await submitCampaign(page, { name: 'Salon international de la restauration, envois de la semaine', distributor: 'Distribution Envois', starts: '10/03/2099', ends: '12/03/2099' });
  await expect(page).toHaveURL(/\/campagnes\/[0-9a-f-]{36}$/);
  const campaign = new URL(page.url()).pathname;
  await page.getByRole('navigation', { name: 'Sections de la campagne' }).getByRole('link', { name: 'Envois' }).click();
  await expect(page).toHaveURL(`${campaign}/envois`);
  await expect(page.getByText('Aucun mail pour cette campagne pour l’instant.')).toBeVisible();
  await expectFitAndAccessible(page, [`${campaign}/envois`, '/compte/envoi']);
});
