// Shared pieces of the browser journeys: the app on an ephemeral local port, the system's
// Chromium, request recording, screenshots and axe-core accessibility checks.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
const AXE_PATH = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface RunningApp {
  t: TestApp;
  server: Server;
  /** http://127.0.0.1:<port>, the only origin the pages may contact. */
  origin: string;
  close(): Promise<void>;
}

/** The whole app, in-process, on a fresh database and an ephemeral port of 127.0.0.1. */
export async function startApp(opts: Parameters<typeof createTestApp>[0] = {}): Promise<RunningApp> {
  const t = await createTestApp(opts);
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    t,
    server,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A fresh browser profile of a visitor in France (French date inputs, Paris time). */
export function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 720 },
    ...options,
  });
}

export interface RecordedPage {
  page: Page;
  /** Every URL the page asked for, in order: documents, style sheets, images, downloads… */
  requests: string[];
  /** Console errors and uncaught page errors (a CSP violation shows up here). */
  errors: string[];
}

/** Opens a page in the context and records every request it makes. */
export async function openPage(context: BrowserContext): Promise<RecordedPage> {
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (req) => requests.push(req.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return { page, requests, errors };
}

/**
 * Clicks a link or a submit button and waits for the new document to be loaded, even when the
 * page lands on the same URL again (a form shown back with its errors, a redirect to itself).
 */
export async function clickAndWait(page: Page, target: Locator): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  await target.click();
  await navigated;
  await page.waitForLoadState('load');
}

/** The recorded URLs that leave the app's own origin (data: URLs never reach the network). */
export function foreignRequests(requests: string[], origin: string): string[] {
  return requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
}

/** Saves a full-page PNG as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page exactly as it is now (same HTML, same URL, same style sheets) and
 * returns the serious and critical violations. The site's CSP (script-src 'self') blocks the
 * injected script, so the check runs in a separate context with bypassCSP, where the current
 * document is served again for the same URL; everything else still comes from the app. With
 * `rules`, only those rules run, and their violations of any impact are returned; with `everyImpact`,
 * the whole set runs and its violations of any impact are returned.
 */
export async function axeViolations(browser: Browser, page: Page, opts: { rules?: string[]; everyImpact?: boolean } = {}): Promise<AxeViolation[]> {
  const url = page.url();
  const html = await page.content();
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  const context = await newContext(browser, { bypassCSP: true, viewport });
  try {
    await context.addCookies(await page.context().cookies());
    const p = await context.newPage();
    await p.route(
      (u) => u.href === url,
      (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
      { times: 1 },
    );
    await p.goto(url, { waitUntil: 'load' });
    await p.addScriptTag({ path: AXE_PATH });
    const violations = await p.evaluate(async (rules) => {
      const axe = (
        window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }
      ).axe;
      const result = await axe.run(document, {
        runOnly: rules ? { type: 'rule', values: rules } : ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      }));
    }, opts.rules);
    // Named rules are reported at every impact (landmark-unique is "moderate", aria-allowed-role "minor").
    return opts.rules || opts.everyImpact ? violations : violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  } finally {
    await context.close();
  }
}

/** A readable summary for assertion messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.html}\n    ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n');
}

/** Page text with the French thin and non-breaking spaces (as in "5,00 €") made plain spaces. */
export function plainText(s: string | null): string {
  return (s ?? '').replace(/[\u00a0\u202f]/g, ' ');
}
