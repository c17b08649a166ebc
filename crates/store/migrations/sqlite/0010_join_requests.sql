-- A referral list import asks a case's lead to take its importer onto the team instead of
-- joining by itself: such a referral ("join_request") is answered by the case's lead, and
-- accepting it puts the sender, not the receiver, on the team.
ALTER TABLE referrals ADD COLUMN kind TEXT NOT NULL DEFAULT 'referral' CHECK (kind IN ('referral', 'join_request'));
