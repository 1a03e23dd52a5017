// The privacy policy's version: members accept a version, stored as a consent record.
// 2026-12-02: purposes 1 (contests), 2 (orders: supplier and carrier) and 4 (Mailchimp as processor) in force.
export const POLICY_VERSION = '2026-12-02';
export const POLICY_UPDATED = new Date('2026-12-02T00:00:00Z');
