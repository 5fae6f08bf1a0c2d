-- PAYG instances have no expiry. SQLite already sorts NULL first in ascending order, which the
-- PostgreSQL script of this number makes the rule there too; nothing to change here.
SELECT 1;
