-- CreateTable
CREATE TABLE "NewsletterOptInCount" (
    "id" INTEGER NOT NULL,
    "members" INTEGER NOT NULL,

    CONSTRAINT "NewsletterOptInCount_pkey" PRIMARY KEY ("id")
);

-- One row, kept by statement triggers on "Member": the number of members who opted in and are not
-- erased. A statement that changes no member's standing (a login writing lastActiveAt, say) does
-- not touch the row, so it does not queue behind other writers.
ALTER TABLE "NewsletterOptInCount" ADD CONSTRAINT "NewsletterOptInCount_one_row" CHECK ("id" = 1);
INSERT INTO "NewsletterOptInCount" ("id", "members")
  SELECT 1, count(*)::int FROM "Member" WHERE "newsletterOptIn" AND "erasedAt" IS NULL;

-- One function for the three triggers: the rows that now count, minus those that counted before.
-- A branch names only the transition tables its operation has (plpgsql plans a statement when
-- it first runs it).
CREATE FUNCTION newsletter_optin_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d integer := 0;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    d := d + (SELECT count(*) FROM new_rows WHERE "newsletterOptIn" AND "erasedAt" IS NULL);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    d := d - (SELECT count(*) FROM old_rows WHERE "newsletterOptIn" AND "erasedAt" IS NULL);
  END IF;
  IF d <> 0 THEN UPDATE "NewsletterOptInCount" SET "members" = "members" + d WHERE "id" = 1; END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Member_newsletter_optin_count_insert" AFTER INSERT ON "Member"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION newsletter_optin_count();
CREATE TRIGGER "Member_newsletter_optin_count_update" AFTER UPDATE ON "Member"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION newsletter_optin_count();
CREATE TRIGGER "Member_newsletter_optin_count_delete" AFTER DELETE ON "Member"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION newsletter_optin_count();
