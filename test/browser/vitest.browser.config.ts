// `npm run test:browser`: the client in a real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), making real CORS requests to the simulator on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  // Pre-bundle the dependencies up front, so vite never reloads the page mid-run to optimise them.
  optimizeDeps: { include: ['ky', 'p-retry', 'zod/mini'] },
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 15_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
