-- 0001: the first kzwatch warehouse schema.
-- Migrations are forward-only: never edit a released file, add 0002_… instead.
-- Tables are kzwatch's own; the views at the end of the newest migration are the analysts'
-- stable interface (documented column by column in warehouse/README.md).

-- Corpus ----------------------------------------------------------------------------------------

CREATE TABLE articles (
    article_id   VARCHAR PRIMARY KEY,
    title        VARCHAR,
    citations_source VARCHAR,          -- file the citations came from ("packaged" for the default)
    claims_source    VARCHAR,
    fingerprint  VARCHAR,               -- sha256 of what was loaded: unchanged corpora are not rewritten
    loaded_at    TIMESTAMPTZ
);

CREATE TABLE citations (
    article_id   VARCHAR NOT NULL,
    footnote     INTEGER NOT NULL,
    seq          INTEGER NOT NULL,      -- position inside the footnote, 1-based
    url          VARCHAR,               -- fetchable form (repaired, fragment dropped)
    url_display  VARCHAR,               -- repaired, fragment kept
    url_original VARCHAR,               -- exactly as the article text had it
    title        VARCHAR,
    outlet       VARCHAR,
    author       VARCHAR,
    published    DATE,
    accessed     DATE,
    repairs      JSON,                  -- list of {kind, before, after, detail}
    ref_of_footnote INTEGER,            -- back-reference target, if this abbreviates another
    ref_of_seq   INTEGER,
    extra        JSON,
    PRIMARY KEY (article_id, footnote, seq)
);

CREATE TABLE claims (
    article_id   VARCHAR NOT NULL,
    claim_id     VARCHAR NOT NULL,
    text         VARCHAR,
    footnotes    INTEGER[],
    figures      VARCHAR[],
    terms        JSON,                  -- {"ru": [...], "kk": [...], "en": [...]}
    extra        JSON,
    PRIMARY KEY (article_id, claim_id)
);

-- Which citations a claim rests on (by footnote; every citation of the footnote counts).
CREATE TABLE claim_citations (
    article_id   VARCHAR NOT NULL,
    claim_id     VARCHAR NOT NULL,
    footnote     INTEGER NOT NULL,
    PRIMARY KEY (article_id, claim_id, footnote)
);

-- Link health -----------------------------------------------------------------------------------

-- Content-addressed raw bodies: one row per distinct sha256 of the raw bytes, however often
-- they were fetched.  body is zlib-compressed raw bytes.
CREATE TABLE snapshots (
    snapshot_id   VARCHAR PRIMARY KEY,  -- sha256 hex of the raw (content-decoded) bytes
    first_seen_at TIMESTAMPTZ,
    url           VARCHAR,              -- where it was first seen
    content_type  VARCHAR,
    encoding      VARCHAR,
    size_bytes    BIGINT,
    stored_bytes  BIGINT,
    truncated     BOOLEAN,
    body          BLOB,
    -- extracted, for comparison (NULL for non-HTML bodies)
    title         VARCHAR,
    text          VARCHAR,              -- main text, boilerplate stripped
    norm_text     VARCHAR,              -- normalised form all comparisons use
    text_sha256   VARCHAR,              -- hash of norm_text: a charset re-guess cannot disturb it
    published     VARCHAR,
    modified      VARCHAR,
    lang          VARCHAR,
    canonical_url VARCHAR,
    notices       JSON
);

-- One row per check of one URL (append-only; check_id is deterministic per URL and cycle time,
-- so re-running the same scheduled slot replaces nothing and adds nothing).
CREATE TABLE checks (
    check_id      VARCHAR PRIMARY KEY,
    cycle_id      VARCHAR,
    checked_at    TIMESTAMPTZ NOT NULL,
    url           VARCHAR NOT NULL,
    outcome       VARCHAR NOT NULL,
    http_status   INTEGER,
    final_url     VARCHAR,
    hops          JSON,                 -- [{url, status, location, address}]
    elapsed_ms    INTEGER,
    bytes         BIGINT,
    snapshot_id   VARCHAR,
    not_modified  BOOLEAN,
    error_detail  VARCHAR,
    evidence      VARCHAR,
    moved_to      VARCHAR,
    drift         DOUBLE,               -- similarity to the baseline at this check (NULL: not compared)
    drift_band    VARCHAR,
    state_after   VARCHAR               -- the citation's state once this check was judged
);

-- Current verdict per URL, maintained by the check cycle.
CREATE TABLE url_state (
    url               VARCHAR PRIMARY KEY,
    state             VARCHAR NOT NULL,
    strikes           INTEGER NOT NULL DEFAULT 0,
    first_failure_at  TIMESTAMPTZ,
    last_strike_at    TIMESTAMPTZ,      -- when the last counted strike happened (strike spacing)
    last_checked_at   TIMESTAMPTZ,
    last_outcome      VARCHAR,
    http_status       INTEGER,
    final_url         VARCHAR,
    moved_to          VARCHAR,
    reason            VARCHAR,
    etag              VARCHAR,
    last_modified     VARCHAR,
    last_snapshot_id  VARCHAR,
    baseline_snapshot_id VARCHAR,
    baseline_source   VARCHAR,          -- 'archive' (memento) or 'live'
    baseline_at       TIMESTAMPTZ,
    drift             DOUBLE,           -- similarity of current text to the baseline, 0..1
    drift_band        VARCHAR,          -- unchanged | edited | off_topic
    title_changed     BOOLEAN,
    verification      DOUBLE,           -- is the page still the cited work? 0..1
    archive_url       VARCHAR,
    archive_checked_at TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ
);

-- Per claim <-> citation: are the claim's figures and terms still in the cited page?
CREATE TABLE claim_support (
    article_id   VARCHAR NOT NULL,
    claim_id     VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,      -- present | missing | unknown
    baseline_status VARCHAR,
    found        VARCHAR[],
    missing      VARCHAR[],
    checked_at   TIMESTAMPTZ,
    PRIMARY KEY (article_id, claim_id, url)
);

-- Discovery -------------------------------------------------------------------------------------

CREATE TABLE feed_state (
    feed_url       VARCHAR PRIMARY KEY,
    kind           VARCHAR,
    outlet         VARCHAR,
    last_fetched_at TIMESTAMPTZ,
    last_status    INTEGER,
    last_error     VARCHAR,
    last_ok_at     TIMESTAMPTZ,
    consecutive_failures INTEGER DEFAULT 0,
    etag           VARCHAR,
    last_modified  VARCHAR,
    items_total    INTEGER DEFAULT 0
);

CREATE TABLE feed_fetches (
    fetched_at   TIMESTAMPTZ NOT NULL,
    feed_url     VARCHAR NOT NULL,
    http_status  INTEGER,
    outcome      VARCHAR,               -- ok | not_modified | error kind
    detail       VARCHAR,
    items        INTEGER,
    new_items    INTEGER,
    PRIMARY KEY (feed_url, fetched_at)
);

CREATE TABLE items (
    item_id       VARCHAR PRIMARY KEY,  -- sha256 of the canonical URL
    url           VARCHAR NOT NULL,
    canonical_url VARCHAR,
    guid          VARCHAR,
    dedupe_keys   VARCHAR[],
    title         VARCHAR,
    summary       VARCHAR,
    text          VARCHAR,
    outlet        VARCHAR,
    source_url    VARCHAR,
    lang          VARCHAR,
    published_at  TIMESTAMPTZ,
    first_seen_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE item_matches (
    article_id   VARCHAR NOT NULL,
    claim_id     VARCHAR NOT NULL,
    item_id      VARCHAR NOT NULL,
    score        DOUBLE,
    stance       VARCHAR,               -- confirms | updates | contradicts | mentions
    reason       VARCHAR,
    matched      VARCHAR[],
    sentence     VARCHAR,
    lang         VARCHAR,
    first_seen_at TIMESTAMPTZ,
    PRIMARY KEY (article_id, claim_id, item_id)
);

-- Alerts and runs -------------------------------------------------------------------------------

CREATE TABLE events (
    event_id      VARCHAR PRIMARY KEY,  -- deterministic: same happening, same id
    article_id    VARCHAR,
    kind          VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    subject       VARCHAR,
    footnote      INTEGER,
    claim_id      VARCHAR,
    url           VARCHAR,
    details       JSON,
    status        VARCHAR NOT NULL DEFAULT 'open',   -- open | acked | snoozed | resolved
    sent_at       TIMESTAMPTZ,
    acked_at      TIMESTAMPTZ,
    snoozed_until TIMESTAMPTZ,
    resolved_at   TIMESTAMPTZ,
    last_reminded_at TIMESTAMPTZ
);

CREATE TABLE digests (
    digest_id     VARCHAR PRIMARY KEY,
    generated_at  TIMESTAMPTZ,
    since         TIMESTAMPTZ,
    event_ids     VARCHAR[],
    delivered     BOOLEAN,
    channels      JSON,                 -- [{channel, ok, detail, attempts}]
    markdown      VARCHAR
);

CREATE TABLE cycles (
    cycle_id      VARCHAR PRIMARY KEY,
    kind          VARCHAR,              -- check | discover | digest | run
    as_of         TIMESTAMPTZ,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR,              -- running | ok | failed
    summary       JSON
);
