-- R9.6: an account's language (en, zh-Hans, zh-Hant, ja); its notices are worded in it when delivered.
ALTER TABLE accounts ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

-- R9.6: a notice keeps its facts as JSON and no words; notices written before this keep their English subject.
ALTER TABLE notices ADD COLUMN data TEXT;

-- R9.6: an operator's replacement of a default template, per notice kind and locale (DELETE restores the default).
CREATE TABLE notice_templates (
    kind TEXT NOT NULL,
    locale TEXT NOT NULL,
    subject TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    sms TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, locale)
);
