import { test as base, expect, ConsoleMessage } from '@playwright/test';

/** Every test fails if the page logs an error or throws: hydration bugs show up there first. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg: ConsoleMessage) => {
        if (msg.type() !== 'error') return;
        const text = `${msg.text()} (${msg.location().url})`;
        // A refused submit is not one: forms get their refusals with status 200
        // (`FormAnswer`), so a 4xx logged here is a bug or a test that expects it.
        errors.push(text);
      });
      page.on('pageerror', (err) => errors.push(err.message));
      await use(errors);
      expect(errors, 'browser console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the WASM has hydrated the page (an Effect sets this marker in the browser only). */
export async function hydrated(page: import('@playwright/test').Page) {
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'true');
}
