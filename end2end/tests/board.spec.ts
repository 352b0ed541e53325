import AxeBuilder from '@axe-core/playwright';
import { Locator, Page } from '@playwright/test';
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

/** Waits until the board's script is there (its own module, loaded beside the app's). */
async function ready(page: Page) {
  await hydrated(page);
  await expect(page.locator('.board')).toHaveAttribute('data-ready', '');
}

/** The centre of `locator` on screen. */
async function centre(locator: Locator) {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  if (!box) throw new Error('not on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A finger drag through the DevTools protocol: press, rest (the card lifts), slide, lift. */
async function touchDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: string, p?: { x: number; y: number }) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: p ? [{ x: p.x, y: p.y }] : [] });
  await touch('touchStart', from);
  await page.waitForTimeout(450);
  const steps = 12;
  for (let i = 1; i <= steps; i++) {
    await touch('touchMove', { x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps });
    await page.waitForTimeout(16);
  }
  await touch('touchEnd');
  await cdp.detach();
}

const names = (page: Page, stage: RegExp) => column(page, stage).locator('.board-card a').allTextContents();

test('a rep classifies a card with a tap, undoes it, and the board open elsewhere follows', async ({ page, browser }) => {
  const campaign = await boardOf(page, 'Salon du tableau', 3);
  await ready(page);
  await expect(column(page, /^Salle d’attente/).locator('.board-card')).toHaveCount(3);
  await expect(column(page, /^Four/).locator('.board-card')).toHaveCount(0);

  // The same board on a laptop.
  const laptop = await browser.newPage({ storageState: await page.context().storageState() });
  await laptop.goto(`${campaign}/tableau`);
  await ready(laptop);

  // A tap opens the card's move menu; OUI sends it to the oven.
  await column(page, /^Salle d’attente/).getByRole('link', { name: 'Carte0 Tableau' }).click();
  const menu = page.getByRole('dialog', { name: 'Déplacer « Carte0 Tableau » vers…' });
  await menu.getByRole('button', { name: 'OUI → Four' }).click();
  await expect(menu).toBeHidden();
  await expect(page.getByText('Déplacé vers « Four (oui) ».')).toBeVisible();
  await expect(column(page, /^Four/).locator('.board-card')).toHaveCount(1);
  await expect(column(page, /^Four 1/)).toContainText('Carte0 Tableau');
  // The laptop follows without a reload.
  await expect(column(laptop, /^Four/).locator('.board-card')).toHaveCount(1);
  await expect(column(laptop, /^Salle d’attente 2/).locator('.board-card')).toHaveCount(2);

  // Undone from the notice: back in the waiting room where it was, on both.
  await page.getByRole('button', { name: 'Annuler' }).click();
  await expect(page.getByText('Déplacement annulé.')).toBeVisible();
  expect(await names(page, /^Salle d’attente/)).toEqual(['Carte0 Tableau', 'Carte1 Tableau', 'Carte2 Tableau']);
  await expect(column(laptop, /^Four/).locator('.board-card')).toHaveCount(0);
  expect(await names(laptop, /^Salle d’attente/)).toEqual(['Carte0 Tableau', 'Carte1 Tableau', 'Carte2 Tableau']);

  // Before the WASM a card's link opens its move page: a move made there from a page that no
  // longer shows where the card is is refused, nothing lost.
  const card = await column(page, /^Salle d’attente/).getByRole('link', { name: 'Carte1 Tableau' }).getAttribute('href');
  await page.goto(card!);
  await expect(page.getByRole('button', { name: 'Ghost → Frigo' })).toBeVisible();
  await laptop.goto(page.url());
  await laptop.getByRole('button', { name: 'Corbeille' }).click();
  await expect(laptop.getByText('Déplacé vers « Corbeille ».')).toBeVisible();
  await page.getByRole('button', { name: 'Ghost → Frigo' }).click();
  await expect(page.getByText(/Ce prospect n’est plus en « Salle d’attente » : il a été déplacé entre-temps vers « Corbeille »/)).toBeVisible();
  await laptop.close();
});

test.describe('on a touch tablet at 1024×768', () => {
  test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

  test('a rep drags a card with a finger, moves one by keyboard, undoes, bulk-moves and exports the oven', async ({ page }) => {
    test.setTimeout(120_000);
    const campaign = await boardOf(page, 'Salon tactile', 6);
    await ready(page);
    const waiting = column(page, /^Salle d’attente/);
    const oven = column(page, /^Four/);
    const fridge = column(page, /^Frigo/);

    // A finger rests on Carte0, slides it to the oven, lets go: moved at once, kept.
    await touchDrag(page, await centre(waiting.getByRole('link', { name: 'Carte0 Tableau' })),
                    await centre(oven.locator('ol.cards')));
    await expect(oven.locator('.board-card')).toHaveCount(1);
    await expect(page.getByText('Déplacé vers « Four (oui) ».')).toBeVisible();
    await expect(column(page, /^Four 1/)).toBeVisible();

    // Dropped on the fridge, a card asks "Non ou Ghost ?" and is a ghost when nobody answers.
    await touchDrag(page, await centre(waiting.getByRole('link', { name: 'Carte1 Tableau' })),
                    await centre(fridge.locator('ol.cards')));
    const ask = page.getByRole('dialog', { name: 'Non ou Ghost ?' });
    await expect(ask).toBeVisible();
    await expect(ask).toBeHidden({ timeout: 10_000 });
    await expect(page.getByText('Déplacé vers « Frigo (ghost) ».')).toBeVisible();
    await expect(fridge.locator('.board-card')).toContainText('ghost');

    // Reordered by finger inside the waiting room: Carte5 above Carte2.
    const carte5 = await centre(waiting.getByRole('link', { name: 'Carte5 Tableau' }));
    const carte2 = (await waiting.getByRole('link', { name: 'Carte2 Tableau' }).boundingBox())!;
    await touchDrag(page, carte5, { x: carte2.x + carte2.width / 2, y: carte2.y + 4 });
    await expect.poll(() => names(page, /^Salle d’attente/)).toEqual(['Carte5 Tableau', 'Carte2 Tableau', 'Carte3 Tableau', 'Carte4 Tableau']);

    // By keyboard: arrows go from card to card, O sends the focused one to the oven.
    await waiting.getByRole('link', { name: 'Carte2 Tableau' }).focus();
    await page.keyboard.press('ArrowDown');
    await expect(waiting.getByRole('link', { name: 'Carte3 Tableau' })).toBeFocused();
    await page.keyboard.press('o');
    await expect(oven.locator('.board-card')).toHaveCount(2);
    await expect(page.locator('.board-announce')).toHaveText('« Carte3 Tableau » déplacé vers Four (oui).');
    await expect(oven.getByRole('link', { name: 'Carte3 Tableau' })).toBeFocused();

    // Ctrl+Z undoes it.
    await page.keyboard.press('Control+z');
    await expect(page.getByText('Déplacement annulé.')).toBeVisible();
    await expect.poll(() => names(page, /^Salle d’attente/)).toEqual(['Carte5 Tableau', 'Carte2 Tableau', 'Carte3 Tableau', 'Carte4 Tableau']);

    // Several at once: select two with taps, send them to the trash.
    await page.getByRole('button', { name: 'Sélection multiple' }).click();
    await waiting.getByRole('link', { name: 'Carte4 Tableau' }).click();
    await waiting.getByRole('link', { name: 'Carte5 Tableau' }).click();
    const selection = page.getByRole('region', { name: 'Sélection' });
    await expect(selection).toContainText('2 prospects sélectionnés.');
    await selection.getByRole('button', { name: 'Corbeille' }).click();
    await expect(page.getByText('2 prospects déplacés vers « Corbeille ».')).toBeVisible();
    await expect(column(page, /^Corbeille 2/).locator('.board-card')).toHaveCount(2);

    // All of it kept: the board read again shows the same.
    await page.reload();
    await ready(page);
    expect(await names(page, /^Four/)).toEqual(['Carte0 Tableau']);
    expect(await names(page, /^Frigo/)).toEqual(['Carte1 Tableau']);
    expect(await names(page, /^Salle d’attente/)).toEqual(['Carte2 Tableau', 'Carte3 Tableau']);
    expect((await names(page, /^Corbeille/)).sort()).toEqual(['Carte4 Tableau', 'Carte5 Tableau']);

    // The oven exported as CSV, reopened: a byte-order mark, `;`, the card with its stage.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: '(CSV)' }).first().click();
    const bytes = require('fs').readFileSync(await (await download).path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(rows[0].startsWith('Civilité;Prénom;Nom;E-mail;Société')).toBe(true);
    expect(rows.filter((r: string) => r.includes('@exemple.fr'))).toHaveLength(1);
    expect(rows[1]).toMatch(/^;Carte0;Tableau;carte0\.\d+@exemple\.fr;Maison 0;.*;Four;oui;/);

    // A card's own buttons classify it in one tap; the one of its place is not offered.
    const inFridge = column(page, /^Frigo/).locator('li.board-card', { hasText: 'Carte1 Tableau' });
    await expect(inFridge.getByRole('button', { name: 'Ghost' })).toBeHidden();
    await expect(inFridge.getByRole('button', { name: 'NON' })).toBeVisible();
    await waiting.locator('li.board-card', { hasText: 'Carte2 Tableau' }).getByRole('button', { name: 'NON' }).tap();
    await expect(page.getByText('Déplacé vers « Frigo (non) ».')).toBeVisible();
    await page.reload();
    await ready(page);
    expect((await names(page, /^Frigo/)).sort()).toEqual(['Carte1 Tableau', 'Carte2 Tableau']);
    await expect(column(page, /^Frigo/).locator('li.board-card', { hasText: 'Carte2 Tableau' }).locator('.badge')).toHaveText('non');
    expect(campaign).toBeTruthy();
  });

  test('a move the server refuses goes back where it was, with the reason in French', async ({ page, browser }) => {
    // The tablet's live channel is down (show-floor Wi-Fi): it does not hear the laptop's move.
    await page.route('**/tableau/evenements', (route) =>
      route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 60000\n\n' }));
    const campaign = await boardOf(page, 'Salon coupé', 2);
    await ready(page);
    const laptop = await browser.newPage({ storageState: await page.context().storageState() });
    await laptop.goto(`${campaign}/tableau`);
    await ready(laptop);
    await column(laptop, /^Salle d’attente/).getByRole('link', { name: 'Carte0 Tableau' }).click();
    await laptop.getByRole('dialog').getByRole('button', { name: 'Corbeille' }).click();
    await expect(laptop.getByText('Déplacé vers « Corbeille ».')).toBeVisible();

    // The tablet still shows Carte0 waiting; its drag to the oven is refused: the card does
    // not stay in the oven, the rep reads why, and the card goes where it really is.
    await expect(column(page, /^Salle d’attente/).locator('.board-card')).toHaveCount(2);
    await touchDrag(page, await centre(column(page, /^Salle d’attente/).getByRole('link', { name: 'Carte0 Tableau' })),
                    await centre(column(page, /^Four/).locator('ol.cards')));
    await expect(page.getByRole('alert')).toContainText('Ce prospect n’est plus en « Salle d’attente » : il a été déplacé entre-temps vers « Corbeille ».');
    await expect(column(page, /^Four/).locator('.board-card')).toHaveCount(0);
    await expect(column(page, /^Corbeille/).locator('.board-card')).toHaveCount(1);
    await laptop.close();
  });
});

test('a board reached through the app’s links is loaded whole: its script answers keys and it keeps its title', async ({ page }) => {
  const campaign = await boardOf(page, 'Salon parcouru', 3);
  // From the prospects tab to the board by the app's router: the board comes whole from the
  // server, its script with it.
  await page.goto(`${campaign}/prospects`);
  await hydrated(page);
  const tabs = page.getByRole('navigation', { name: 'Sections de la campagne' });
  for (let visit = 0; visit < 2; visit++) {
    await tabs.getByRole('link', { name: 'Tableau' }).click();
    await expect(page).toHaveURL(`${campaign}/tableau`);
    await ready(page);
    // One press, one card further.
    const waiting = column(page, /^Salle d’attente/);
    await waiting.getByRole('link').first().focus();
    await page.keyboard.press('ArrowDown');
    await expect(waiting.getByRole('link').nth(1)).toBeFocused();
    await tabs.getByRole('link', { name: 'Prospects' }).click();
    await expect(page).toHaveURL(`${campaign}/prospects`);
  }
  // The last visit's move, by key: one card in the oven, said once.
  await tabs.getByRole('link', { name: 'Tableau' }).click();
  await ready(page);
  await expect(page.locator('script[data-board-script]')).toHaveCount(1);
  // The server's title, kept once the page came alive.
  await expect(page).toHaveTitle('Tableau · Salon parcouru · Spine');
  await column(page, /^Salle d’attente/).getByRole('link', { name: 'Carte1 Tableau' }).focus();
  await page.keyboard.press('o');
  await expect(column(page, /^Four 1/)).toBeVisible();
  await expect(page.locator('.board-announce')).toHaveText('« Carte1 Tableau » déplacé vers Four (oui).');
  await page.reload();
  await ready(page);
  expect(await names(page, /^Four/)).toEqual(['Carte1 Tableau']);

  // A link to the board that the app's router takes (no `rel="external"`) still opens it whole.
  await page.goto(`${campaign}/prospects`);
  await hydrated(page);
  await page.evaluate((href) => {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = 'Vers le tableau';
    document.querySelector('main')?.append(link);
  }, `${campaign}/tableau`);
  await page.getByRole('link', { name: 'Vers le tableau' }).click();
  await expect(page).toHaveURL(`${campaign}/tableau`);
  await ready(page);
  expect(await names(page, /^Four/)).toEqual(['Carte1 Tableau']);
});

test('a board read again in place after a large move elsewhere answers each key once and keeps its undo', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const campaign = await boardOf(page, 'Salon relu', 52);
  await ready(page);
  const waiting = column(page, /^Salle d’attente/);
  await waiting.getByRole('link', { name: 'Carte0 Tableau' }).focus();
  await page.keyboard.press('o');
  await expect(column(page, /^Four 1/)).toBeVisible();

  // On the laptop, the 51 others go to the trash at once: more than a live event names, so the
  // tablet reads its board again.
  const laptop = await browser.newPage({ storageState: await page.context().storageState() });
  await laptop.goto(`${campaign}/tableau`);
  await ready(laptop);
  await column(laptop, /^Salle d’attente/).getByRole('button', { name: 'Tout sélectionner' }).click();
  await laptop.getByRole('region', { name: 'Sélection' }).getByRole('button', { name: 'Corbeille' }).click();
  await expect(laptop.getByText('51 prospects déplacés vers « Corbeille ».')).toBeVisible();
  await expect(column(page, /^Corbeille 51/)).toBeVisible();
  await expect(waiting.locator('.board-card')).toHaveCount(0);
  await laptop.close();

  // One key, one move.
  const moves: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/move_card')) moves.push(r.url()); });
  await column(page, /^Four/).getByRole('link', { name: 'Carte0 Tableau' }).focus();
  await page.keyboard.press('s');
  await expect(waiting.locator('.board-card')).toHaveCount(1);
  await expect(page.locator('.board-announce')).toHaveText('« Carte0 Tableau » déplacé vers Salle d’attente.');
  expect(moves).toHaveLength(1);

  // Ctrl+Z undoes that move, then the one made before the board was read again.
  await page.keyboard.press('Control+z');
  await expect(column(page, /^Four 1/)).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(column(page, /^Salle d’attente 1/)).toBeVisible();
  await expect(column(page, /^Four 0/)).toBeVisible();
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
