-- Keyset paging of the admins' audit journal and of the staff's mailbox, newest first on (instant, id):
-- each page reads its rows through one of these indexes, whatever the size of the tables.
-- The journal without a filter, and its date range.
DROP INDEX "AuditEvent_at_idx";
CREATE INDEX "AuditEvent_at_id_idx" ON "AuditEvent"("at", "id");
-- Filtered by action.
CREATE INDEX "AuditEvent_action_at_id_idx" ON "AuditEvent"("action", "at", "id");
-- Filtered by member: as actor, and as subject (the subject's index also serves the member's export).
CREATE INDEX "AuditEvent_actorMemberId_at_id_idx" ON "AuditEvent"("actorMemberId", "at", "id");
DROP INDEX "AuditEvent_subjectMemberId_idx";
CREATE INDEX "AuditEvent_subjectMemberId_at_id_idx" ON "AuditEvent"("subjectMemberId", "at", "id");
-- The mailbox.
CREATE INDEX "MailMessage_createdAt_id_idx" ON "MailMessage"("createdAt", "id");
