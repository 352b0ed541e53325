import { defineConfig } from '@playwright/test';

const port = Number(process.env.SPINE_E2E_PORT ?? 3100);
const sandboxPort = Number(process.env.SPINE_E2E_SANDBOX_PORT ?? 3102);
export const baseURL = `http://127.0.0.1:${port}`;
const ports = { SPINE_E2E_PORT: String(port), SPINE_E2E_SANDBOX_PORT: String(sandboxPort) };

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
  webServer: [
    {
      // The Microsoft stand-in, with a state of its own for this run.
      command: './serve.sh sandbox',
      url: `http://127.0.0.1:${sandboxPort}/_sandbox/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stderr: 'pipe',
      env: ports,
    },
    {
      // A freshly started Spine on its own database and Redis namespace.
      command: './serve.sh spine',
      url: `${baseURL}/ready`,
      timeout: 120_000,
      reuseExistingServer: false,
      stderr: 'pipe',
      env: ports,
    },
  ],
});
