-- A winner's "first name and initial" was copied onto their rank at the draw. No page shows it since
-- public results name nobody (decision 0077): it was personal data kept for nothing (decision 0079).
ALTER TABLE "ContestRank" DROP COLUMN "displayName";
