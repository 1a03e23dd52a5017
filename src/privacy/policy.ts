// The privacy policy's version: members accept a version, stored as a consent record.
// 2026-12-02: purposes 1 (contests), 2 (orders: supplier and carrier) and 4 (Mailchimp as processor) in force.
// 2026-12-03: Mailchimp receives the e-mail address only; erasure deletes every contact made there (decision 0076).
export const POLICY_VERSION = '2026-12-03';
export const POLICY_UPDATED = new Date('2026-12-03T00:00:00Z');
