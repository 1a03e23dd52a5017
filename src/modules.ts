// The composition root's list of domains. A new domain is one folder and one line here.
import type { DomainModule } from './core/module.ts';
import { platformModule } from './http/module.ts';
import { pagesModule } from './pages/module.ts';
import { accountsModule } from './accounts/module.ts';
import { newsletterModule } from './newsletter/module.ts';
import { privacyModule } from './privacy/module.ts';
import { creditModule } from './credit/module.ts';
import { couponsModule } from './coupons/module.ts';
import { mailModule } from './mail/module.ts';
import { jobsModule } from './jobs/module.ts';
import { auditModule } from './audit/module.ts';
import { staffModule } from './staff/module.ts';
import { adminModule } from './admin/module.ts';
import { shopModule } from './shop/module.ts';
import { accountingModule } from './accounting/module.ts';
import { ordersModule } from './orders/module.ts';
import { contestsModule } from './contests/module.ts';

export const MODULES: readonly DomainModule[] = [
  platformModule,
  pagesModule,
  accountsModule,
  newsletterModule,
  privacyModule,
  creditModule,
  couponsModule,
  mailModule,
  jobsModule,
  auditModule,
  staffModule,
  adminModule,
  shopModule,
  accountingModule,
  ordersModule,
  contestsModule,
];
