import { defineConfig } from '@playwright/test';

const port = Number(process.env.SPINE_E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    locale: 'fr-FR',
    viewport: { width: 1024, height: 768 },
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: nothing is downloaded.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      ],
    },
  },
  webServer: {
    // A freshly started Spine on its own database and Redis namespace.
    command: './serve.sh',
    url: `${baseURL}/ready`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { SPINE_E2E_PORT: String(port) },
  },
});
