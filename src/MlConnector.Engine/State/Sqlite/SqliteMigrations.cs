namespace MlConnector.Engine.State.Sqlite;

/// <summary>
/// The state database's schema, one script per version (PRAGMA user_version counts those applied). Only ever append:
/// a database written by an earlier release upgrades in place, in order, each step in one transaction.
/// </summary>
internal static class SqliteMigrations
{
    public static readonly string[] Scripts =
    [
        // 1
        """
        CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
        // 2
        """
        CREATE TABLE work_queue (
            job_id         TEXT PRIMARY KEY,
            target_type    TEXT NOT NULL,
            source_type    TEXT NOT NULL,
            source_number  TEXT NOT NULL,
            payload        TEXT NOT NULL,
            status         TEXT NOT NULL,
            attempts       INTEGER NOT NULL DEFAULT 0,
            last_error     TEXT NULL,
            enqueued_at    TEXT NOT NULL,
            updated_at     TEXT NOT NULL,
            sequence       INTEGER NOT NULL
        );
        CREATE INDEX work_queue_status ON work_queue(status, target_type, sequence);
        CREATE TABLE record_state (
            target_key     TEXT PRIMARY KEY,
            source_number  TEXT NOT NULL,
            content_hash   TEXT NOT NULL,
            marketo_id     INTEGER NULL,
            written_at     TEXT NOT NULL
        );
        CREATE TABLE checkpoints (
            name           TEXT PRIMARY KEY,
            value          TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        """,
        // 3
        """
        CREATE TABLE checkpoint_boundary (
            name           TEXT NOT NULL,
            record_id      TEXT NOT NULL,
            last_modified  TEXT NOT NULL,
            PRIMARY KEY (name, record_id)
        );
        """,
        // 4: state belongs to a sync pair and, where it is per record, to a direction. Rows written before pairs
        // existed belong to the pair 'unclaimed' until the first pair to open the store adopts them.
        """
        CREATE TABLE sync_pairs (
            pair_id            TEXT PRIMARY KEY,
            bc_tenant          TEXT NOT NULL,
            bc_environment     TEXT NOT NULL,
            bc_company_id      TEXT NOT NULL,
            bc_company_name    TEXT NULL,
            marketo_instance   TEXT NOT NULL,
            company_key_prefix TEXT NOT NULL DEFAULT '',
            created_at         TEXT NOT NULL,
            last_run_at        TEXT NULL
        );

        CREATE TABLE work_queue_4 (
            pair_id        TEXT NOT NULL,
            direction      TEXT NOT NULL,
            job_id         TEXT NOT NULL,
            target_type    TEXT NOT NULL,
            source_type    TEXT NOT NULL,
            source_number  TEXT NOT NULL,
            payload        TEXT NOT NULL,
            status         TEXT NOT NULL,
            attempts       INTEGER NOT NULL DEFAULT 0,
            last_error     TEXT NULL,
            enqueued_at    TEXT NOT NULL,
            updated_at     TEXT NOT NULL,
            sequence       INTEGER NOT NULL,
            PRIMARY KEY (pair_id, direction, job_id)
        );
        INSERT INTO work_queue_4 SELECT 'unclaimed', 'BcToMarketo', job_id, target_type, source_type, source_number, payload, status,
            attempts, last_error, enqueued_at, updated_at, sequence FROM work_queue;
        DROP TABLE work_queue;
        ALTER TABLE work_queue_4 RENAME TO work_queue;
        CREATE INDEX work_queue_status ON work_queue(pair_id, direction, status, target_type, sequence);

        CREATE TABLE record_state_4 (
            pair_id        TEXT NOT NULL,
            direction      TEXT NOT NULL,
            target_key     TEXT NOT NULL,
            source_number  TEXT NOT NULL,
            content_hash   TEXT NOT NULL,
            target_id      TEXT NULL,
            written_at     TEXT NOT NULL,
            PRIMARY KEY (pair_id, direction, target_key)
        );
        INSERT INTO record_state_4 SELECT 'unclaimed', 'BcToMarketo', target_key, source_number, content_hash, CAST(marketo_id AS TEXT), written_at
            FROM record_state;
        DROP TABLE record_state;
        ALTER TABLE record_state_4 RENAME TO record_state;

        CREATE TABLE checkpoints_4 (
            pair_id        TEXT NOT NULL,
            name           TEXT NOT NULL,
            value          TEXT NOT NULL,
            updated_at     TEXT NOT NULL,
            PRIMARY KEY (pair_id, name)
        );
        INSERT INTO checkpoints_4 SELECT 'unclaimed', name, value, updated_at FROM checkpoints;
        DROP TABLE checkpoints;
        ALTER TABLE checkpoints_4 RENAME TO checkpoints;

        CREATE TABLE checkpoint_boundary_4 (
            pair_id        TEXT NOT NULL,
            name           TEXT NOT NULL,
            record_id      TEXT NOT NULL,
            last_modified  TEXT NOT NULL,
            PRIMARY KEY (pair_id, name, record_id)
        );
        INSERT INTO checkpoint_boundary_4 SELECT 'unclaimed', name, record_id, last_modified FROM checkpoint_boundary;
        DROP TABLE checkpoint_boundary;
        ALTER TABLE checkpoint_boundary_4 RENAME TO checkpoint_boundary;

        CREATE TABLE watermarks (
            pair_id        TEXT NOT NULL,
            name           TEXT NOT NULL,
            token          TEXT NOT NULL,
            at             TEXT NOT NULL,
            updated_at     TEXT NOT NULL,
            PRIMARY KEY (pair_id, name)
        );

        CREATE TABLE links (
            pair_id        TEXT NOT NULL,
            kind           TEXT NOT NULL,
            bc_number      TEXT NOT NULL,
            bc_id          TEXT NULL,
            marketo_id     INTEGER NOT NULL,
            marketo_key    TEXT NULL,
            updated_at     TEXT NOT NULL,
            PRIMARY KEY (pair_id, kind, bc_number)
        );
        CREATE INDEX links_marketo ON links(pair_id, kind, marketo_id);

        CREATE TABLE leases (
            pair_id        TEXT PRIMARY KEY,
            holder_id      TEXT NOT NULL,
            process_id     INTEGER NOT NULL,
            host_name      TEXT NOT NULL,
            started_at     TEXT NOT NULL,
            expires_at     TEXT NOT NULL
        );
        """,
        // 5: a job the target has answered whose audit line could not be written is held, status 'Answered', with
        // that answer, until a later run writes the line and settles it without sending it again.
        """
        ALTER TABLE work_queue ADD COLUMN answer TEXT NULL;
        """,
        // 6: per-field digests of what was last written (never the values), so an audit line can name the fields that changed.
        """
        ALTER TABLE record_state ADD COLUMN field_hashes TEXT NULL;
        """,
        // 7: each pair's BC webhook subscriptions, with where their clientState is kept (never the clientState itself).
        """
        CREATE TABLE subscriptions (
            pair_id             TEXT NOT NULL,
            subscription_id     TEXT NOT NULL,
            entity_set          TEXT NOT NULL,
            resource            TEXT NOT NULL,
            notification_url    TEXT NOT NULL,
            expires_at          TEXT NOT NULL,
            etag                TEXT NULL,
            client_state_vault  TEXT NULL,
            client_state_secret TEXT NULL,
            created_at          TEXT NOT NULL,
            updated_at          TEXT NOT NULL,
            PRIMARY KEY (pair_id, subscription_id)
        );
        """,
        // 8: Marketo calls per pair and Marketo day (a daily call budget across runs); the queue's next sequence is read
        // with MAX(sequence), which without an index scanned the whole queue on every enqueue.
        """
        CREATE TABLE marketo_calls (
            pair_id        TEXT NOT NULL,
            day            TEXT NOT NULL,
            calls          INTEGER NOT NULL,
            updated_at     TEXT NOT NULL,
            PRIMARY KEY (pair_id, day)
        );
        CREATE INDEX work_queue_sequence ON work_queue(sequence);
        """,
        // 9: Bulk Lead Imports Marketo accepted and whose outcome is not settled, with the jobs of each file, so a run
        // that stopped while one ran resumes by polling its batch id instead of importing the file again.
        """
        CREATE TABLE bulk_imports (
            pair_id        TEXT NOT NULL,
            batch_id       INTEGER NOT NULL,
            rows           INTEGER NOT NULL,
            submitted_at   TEXT NOT NULL,
            PRIMARY KEY (pair_id, batch_id)
        );
        CREATE TABLE bulk_import_jobs (
            pair_id        TEXT NOT NULL,
            batch_id       INTEGER NOT NULL,
            job_id         TEXT NOT NULL,
            job_updated_at TEXT NOT NULL,
            PRIMARY KEY (pair_id, job_id)
        );
        CREATE INDEX bulk_import_jobs_batch ON bulk_import_jobs(pair_id, batch_id);
        """,
        // 10: a digest of each boundary record's ETag: BC stamps at 1/300 s, so a write in the tick of an earlier read
        // keeps its lastModifiedDateTime, and only the ETag tells it from what was read. NULL (rows written before): unknown.
        """
        ALTER TABLE checkpoint_boundary ADD COLUMN etag_digest INTEGER NULL;
        """,
    ];

    /// <summary>The tables holding per-pair rows that the first pair adopts from 'unclaimed'.</summary>
    public static readonly string[] PairScopedTables = ["work_queue", "record_state", "checkpoints", "checkpoint_boundary", "watermarks", "links"];
}
