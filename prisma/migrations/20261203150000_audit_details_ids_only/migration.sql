-- The audit journal is kept when a member is erased, so its details hold identifiers and codes
-- only (decision 0077). Rows written before that rule:
-- 1. order cancellations and refunds, and contest redraws, copied the reason typed by staff: it is
--    removed (it stays on the order or the rank, which erasure and retention scrub);
-- 2. an erasure on written request could keep a free-text reference ("Mme Dupont 12"): one that
--    does not match the reference format (src/privacy/eraser.ts, isRequestRef) becomes the code
--    'ref-removed'; the request itself stays in the DPO's files.
UPDATE "AuditEvent" SET "details" = "details" - 'reason'
WHERE "action" IN ('order.cancelled', 'order.refunded', 'contest.redrawn') AND "details" ? 'reason';

UPDATE "AuditEvent" SET "details" = jsonb_set("details", '{requestRef}', '"ref-removed"')
WHERE "action" = 'member.erased' AND jsonb_typeof("details" -> 'requestRef') = 'string'
  AND NOT (("details" ->> 'requestRef') ~ '^[A-Za-z0-9][A-Za-z0-9/.-]{2,39}$'
           AND ("details" ->> 'requestRef') ~ '[0-9]'
           AND ("details" ->> 'requestRef') !~ '[A-Za-z]{5}');
