import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-quic','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
const p = await b.newPage();
const t0 = Date.now();
const log = (...a) => console.log(((Date.now() - t0) / 1000).toFixed(1), ...a);
p.on('console', (m) => log('console', m.type(), m.text().slice(0, 300)));
p.on('worker', (w) => { log('worker', w.url()); w.on('console', (m) => log('wconsole', m.type(), m.text().slice(0, 300))); });
p.on('requestfinished', async (r) => log('done', r.url().slice(0, 100), (await r.response())?.headers()['content-encoding'] ?? ''));
p.on('requestfailed', (r) => log('failed', r.url().slice(0, 100), r.failure()?.errorText));
p.on('pageerror', (e) => log('pageerror', e.message));
try { await p.goto(process.argv[2], { timeout: 90000 }); log('loaded'); } catch (e) { log('ERR', e.message.split('\n')[0]); }
for (let i = 0; i < 60; i++) { const s = await p.locator('[data-state]').first().getAttribute('data-state').catch(() => '?'); if (s === 'ready' || s === 'error') { log('state', s, await p.locator('[data-state]').first().innerText()); break; } await p.waitForTimeout(3000); }
log(await p.locator('[role=alert]').allInnerTexts());
await b.close();
