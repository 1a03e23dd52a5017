-- A domain's count of its own jobs in a status (the newsletter's abandoned jobs on its admin page)
-- reads only those jobs' index entries, not every job in that status.
CREATE INDEX "Job_status_kind_idx" ON "Job"("status", "kind");
