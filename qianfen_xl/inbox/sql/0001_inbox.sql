-- The inbox's database (DIR/inbox.sqlite, WAL). Migrations are numbered files in this
-- folder, applied in order; PRAGMA user_version records the last one applied.

-- One row a setting: unit, roster and standards (SHA-256 of the stored files), created.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Who may sign in: one access code per department and one for the office (角色 考核办).
-- Only a hash of each code is kept; the codes themselves are printed once.
CREATE TABLE codes (
    id         INTEGER PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('department', 'office')),
    department TEXT NOT NULL DEFAULT '',
    code_hash  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX codes_department ON codes (role, department);

-- Signed-in browsers: the hash of the session cookie's token and the CSRF token the pages
-- send back with every form and upload.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    code_id    INTEGER NOT NULL REFERENCES codes (id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Every file received, kept by its SHA-256 (DIR/files/ab/abcd….xlsx), never overwritten.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    suffix     TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    stored_at  TEXT NOT NULL
);

-- The audit log: every upload, accepted or refused. Rows are never changed or deleted.
CREATE TABLE uploads (
    id          INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    department  TEXT NOT NULL,          -- who sent it (the access code's department)
    filename    TEXT NOT NULL,          -- as sent, cleaned for display; never a path
    sha256      TEXT NOT NULL,          -- '' when refused before it was stored
    bytes       INTEGER NOT NULL,
    http_status INTEGER NOT NULL,       -- 201 accepted, 403 another department's, 413 too large
    result      TEXT NOT NULL,          -- 校验通过 / 退回修改 / 无法读取 / 拒收：…
    errors      INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0,
    kind        TEXT NOT NULL DEFAULT '',
    period      TEXT NOT NULL DEFAULT '',
    counts      INTEGER NOT NULL DEFAULT 0  -- 1: a register some period can count
);
CREATE INDEX uploads_department ON uploads (department, id);
CREATE TRIGGER uploads_no_update BEFORE UPDATE ON uploads
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER uploads_no_delete BEFORE DELETE ON uploads
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- What checking each accepted upload found (a pickled intake Submission), so the board is
-- built without reading the files again; re-made from the stored file when the program or
-- the standards change (version).
CREATE TABLE intakes (
    upload_id  INTEGER PRIMARY KEY REFERENCES uploads (id),
    version    TEXT NOT NULL,
    submission BLOB NOT NULL
);
