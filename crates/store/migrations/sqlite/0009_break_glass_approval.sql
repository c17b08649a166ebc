-- Emergency accesses beyond a professional's daily limit wait for the DPO: `opened` (within the
-- limit, in force until expires_at), `waiting` (not in force until the DPO approves it),
-- `approved` (the DPO approved it; in force from then until expires_at), `refused`.
ALTER TABLE break_glass ADD COLUMN status TEXT NOT NULL DEFAULT 'opened';
CREATE INDEX break_glass_daily ON break_glass (user_id, opened_at);
