-- R8.4: cycles are kept apart. A renewal made before expiry adds a paid cycle that starts at the old
-- expiry instead of merging into the running one; the cycles paid ahead, as JSON [{start, expiry, cash}].
ALTER TABLE instances ADD COLUMN ahead_cycles TEXT NOT NULL DEFAULT '[]';
