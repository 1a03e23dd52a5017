// The privacy policy's version: members accept a version, stored as a consent record.
export const POLICY_VERSION = '2026-11-25';
export const POLICY_UPDATED = new Date('2026-11-25T00:00:00Z');
