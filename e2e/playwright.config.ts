/**
 * Playwright against the real built system: global-setup.ts starts `forkyard start` (engine +
 * control plane) on free loopback ports and a transparent gateway in front of its control
 * plane; the tests drive the dashboard in Debian's Chromium. turbo builds everything first;
 * nothing is built here.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results/output',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['junit', { outputFile: '../.results/e2e-playwright.xml' }]],
  globalSetup: './support/global-setup.ts',
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
