// Configuration: parsed once at start from the environment; a bad value stops the process.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'doit commencer par postgres:// ou postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32, 'au moins 32 caractères').optional(),
  CODE_HMAC_SECRET: z.string().min(32, 'au moins 32 caractères').optional(),
  TRUST_PROXY: z.string().default('false'),
  PUBLIC_URL: z.url().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'doit commencer par smtp:// ou smtps://')
    .optional(),
  MAIL_FROM: z.string().default('Club Petites Stars <club@clubpetitesstars.example>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: bool.optional(),
  JOBS_WORKER: bool.default(true),
  RETENTION_UNCONFIRMED_DAYS: z.coerce.number().int().positive().default(7),
  RETENTION_INACTIVE_WARN_MONTHS: z.coerce.number().int().positive().default(35),
  RETENTION_INACTIVE_ERASE_MONTHS: z.coerce.number().int().positive().default(36),
  MAILCHIMP_API_KEY: z.string().min(1).optional(),
  MAILCHIMP_SERVER_PREFIX: z.string().regex(/^[a-z]+\d+$/, 'de la forme us21 (la fin de la clé API)').optional(),
  MAILCHIMP_LIST_ID: z.string().min(1).optional(),
  /** The local fake (tests, development); its host must not contain "server". */
  MAILCHIMP_BASE_PATH: z.url().optional(),
  MAILCHIMP_WEBHOOK_SECRET: z.string().min(16, 'au moins 16 caractères').optional(),
  SHIPPING_FLAT_CENTS: z.coerce.number().int().min(0).max(100_000).default(690),
  SHIPPING_FREE_FROM_CENTS: z.coerce.number().int().min(0).max(10_000_000).default(6000),
  BANK_IBAN: z.string().default('FR76 3000 6000 0112 3456 7890 189'),
  BANK_BIC: z.string().default('AGRIFRPPXXX'),
  BANK_HOLDER: z.string().default('Club Petites Stars SAS'),
  ORDER_UNPAID_CANCEL_DAYS: z.coerce.number().int().min(2).max(365).default(14),
  ORDER_UNPAID_WARN_DAYS_BEFORE: z.coerce.number().int().min(1).max(60).default(3),
  // The seller (publisher of the site) and the host, for the legal notice, the CGV and invoices.
  SELLER_NAME: z.string().default('Club Petites Stars SAS'),
  SELLER_LEGAL_FORM: z.string().default('société par actions simplifiée au capital de 10 000 €'),
  SELLER_ADDRESS: z.string().default('12 rue des Étoiles, 75011 Paris, France'),
  /** 9 digits (spaces allowed): the legal notice, invoices, and the FEC file's name (without spaces). */
  SELLER_SIREN: z.string().regex(/^\d{3} ?\d{3} ?\d{3}$/, '9 chiffres').default('912 345 678'),
  SELLER_VAT_NUMBER: z.string().default('FR32912345678'),
  SELLER_EMAIL: z.string().default('contact@clubpetitesstars.example'),
  /** Where a person writes to exercise their rights (privacy page, security e-mails): the DPO or the club's privacy contact. */
  PRIVACY_EMAIL: z.email().default('dpo@clubpetitesstars.example'),
  SELLER_PHONE: z.string().default('01 23 45 67 89'),
  SELLER_PUBLICATION_DIRECTOR: z.string().default('Camille Durand, présidente'),
  SELLER_MEDIATOR: z.string().default('Médiateur de la consommation CM2C, 49 rue de Ponthieu, 75008 Paris — www.cm2c.net'),
  HOST_NAME: z.string().default('Hébergeur Exemple SAS'),
  HOST_ADDRESS: z.string().default('2 rue Kellermann, 59100 Roubaix, France'),
  HOST_PHONE: z.string().default('01 00 00 00 00'),
  /** Public pages kept for visitors without a session (src/http/page-cache.ts); 0 turns it off. Default: 5 in production, 0 otherwise. */
  PAGE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  sessionSecret: string;
  codeHmacSecret: string;
  trustProxy: boolean | number | string;
  publicUrl: string;
  smtpUrl?: string;
  mailFrom: string;
  logLevel: Env['LOG_LEVEL'];
  pageCacheSeconds: number;
  seedDemo: boolean;
  jobsWorker: boolean;
  retention: { unconfirmedDays: number; inactiveWarnMonths: number; inactiveEraseMonths: number };
  /** Null: no Mailchimp (development starts the local fake and fills this in). */
  mailchimp: { apiKey: string; serverPrefix: string; listId: string; basePath?: string } | null;
  mailchimpWebhookSecret?: string;
  accounting: { siren: string };
  shop: {
    shippingFlatCents: number;
    shippingFreeFromCents: number;
    bank: { iban: string; bic: string; holder: string };
    unpaidCancelDays: number;
    unpaidWarnDaysBefore: number;
  };
  seller: { name: string; legalForm: string; address: string; siren: string; vatNumber: string; email: string; phone: string; publicationDirector: string; mediator: string };
  /** Where to write to exercise one's rights (PRIVACY_EMAIL). */
  privacyEmail: string;
  hosting: { name: string; address: string; phone: string };
}

export class ConfigError extends Error {}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

// In development a missing secret is generated once and kept under DATA_DIR, so sessions survive restarts.
function devSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, `.${name}`);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.DATA_DIR);
  const problems: string[] = [];
  if (isProduction) {
    // Without SMTP, e-mails (with their reset links) would be kept in the staff mailbox.
    for (const k of ['SESSION_SECRET', 'CODE_HMAC_SECRET', 'SMTP_URL'] as const) {
      if (!e[k]) problems.push(`${k}: obligatoire quand NODE_ENV=production`);
    }
    if (!e.PUBLIC_URL?.startsWith('https://')) problems.push('PUBLIC_URL: doit commencer par https:// en production (cookies Secure)');
    // The contacts the legal pages give: a reserved demo domain would receive nothing.
    for (const k of ['PRIVACY_EMAIL', 'SELLER_EMAIL'] as const) {
      if (/\.example$/i.test(e[k])) problems.push(`${k}: adresse de démonstration (${e[k]}) ; donnez une adresse réelle en production`);
    }
    if (e.TRUST_PROXY === 'true') {
      problems.push('TRUST_PROXY: en production, donnez le nombre de proxys (1) ou leurs adresses, pas true (X-Forwarded-For serait falsifiable)');
    }
  }
  if (e.RETENTION_INACTIVE_WARN_MONTHS >= e.RETENTION_INACTIVE_ERASE_MONTHS) {
    problems.push('RETENTION_INACTIVE_WARN_MONTHS: doit être inférieur à RETENTION_INACTIVE_ERASE_MONTHS');
  }
  if (e.MAILCHIMP_API_KEY && !e.MAILCHIMP_LIST_ID) problems.push('MAILCHIMP_LIST_ID: obligatoire avec MAILCHIMP_API_KEY');
  if (e.MAILCHIMP_BASE_PATH && new URL(e.MAILCHIMP_BASE_PATH).host.includes('server')) {
    problems.push('MAILCHIMP_BASE_PATH: son hôte ne doit pas contenir « server » (le client Mailchimp le remplace)');
  }
  if (e.ORDER_UNPAID_WARN_DAYS_BEFORE >= e.ORDER_UNPAID_CANCEL_DAYS) {
    problems.push('ORDER_UNPAID_WARN_DAYS_BEFORE: doit être inférieur à ORDER_UNPAID_CANCEL_DAYS');
  }
  if (problems.length) throw new ConfigError(`Configuration invalide :\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sessionSecret: e.SESSION_SECRET ?? devSecret(dataDir, 'session-secret'),
    codeHmacSecret: e.CODE_HMAC_SECRET ?? devSecret(dataDir, 'code-hmac-secret'),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO ?? !isProduction,
    pageCacheSeconds: e.PAGE_CACHE_SECONDS ?? (isProduction ? 5 : 0),
    jobsWorker: e.JOBS_WORKER,
    retention: {
      unconfirmedDays: e.RETENTION_UNCONFIRMED_DAYS,
      inactiveWarnMonths: e.RETENTION_INACTIVE_WARN_MONTHS,
      inactiveEraseMonths: e.RETENTION_INACTIVE_ERASE_MONTHS,
    },
    mailchimp:
      e.MAILCHIMP_API_KEY && e.MAILCHIMP_LIST_ID
        ? {
            apiKey: e.MAILCHIMP_API_KEY,
            // The data center is the key's suffix (…-us21) unless given.
            serverPrefix: e.MAILCHIMP_SERVER_PREFIX ?? /-([a-z]+\d+)$/.exec(e.MAILCHIMP_API_KEY)?.[1] ?? 'us1',
            listId: e.MAILCHIMP_LIST_ID,
            ...(e.MAILCHIMP_BASE_PATH ? { basePath: e.MAILCHIMP_BASE_PATH } : {}),
          }
        : null,
    mailchimpWebhookSecret: e.MAILCHIMP_WEBHOOK_SECRET,
    accounting: { siren: e.SELLER_SIREN.replace(/ /g, '') },
    shop: {
      shippingFlatCents: e.SHIPPING_FLAT_CENTS,
      shippingFreeFromCents: e.SHIPPING_FREE_FROM_CENTS,
      bank: { iban: e.BANK_IBAN, bic: e.BANK_BIC, holder: e.BANK_HOLDER },
      unpaidCancelDays: e.ORDER_UNPAID_CANCEL_DAYS,
      unpaidWarnDaysBefore: e.ORDER_UNPAID_WARN_DAYS_BEFORE,
    },
    seller: {
      name: e.SELLER_NAME,
      legalForm: e.SELLER_LEGAL_FORM,
      address: e.SELLER_ADDRESS,
      siren: e.SELLER_SIREN,
      vatNumber: e.SELLER_VAT_NUMBER,
      email: e.SELLER_EMAIL,
      phone: e.SELLER_PHONE,
      publicationDirector: e.SELLER_PUBLICATION_DIRECTOR,
      mediator: e.SELLER_MEDIATOR,
    },
    privacyEmail: e.PRIVACY_EMAIL,
    hosting: { name: e.HOST_NAME, address: e.HOST_ADDRESS, phone: e.HOST_PHONE },
  };
}
