// The HTTP layer's own tables: sessions and rate-limit counters.
import type { DomainModule } from '../core/module.ts';

export const platformModule: DomainModule = {
  name: 'platform',
  classification: {
    Session: {
      owner: 'memberId',
      onErase: 'delete',
      fields: { sid: { class: 'operational', secret: true }, data: { class: 'personal', secret: true }, memberId: 'pseudonymous-id', expiresAt: 'operational' },
    },
    // Keys are HMACs of the address or member id: nothing personal in clear, gone within a day.
    RateLimit: { onErase: 'keep', fields: { key: 'operational', windowStart: 'operational', count: 'operational' } },
    // Gapless sequences (src/db/counter.ts): names and last values, no personal data.
    Counter: { onErase: 'keep', fields: { name: 'operational', value: 'operational' } },
  },
};
