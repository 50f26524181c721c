import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';

/**
 * Local accounts, their password history, server-side sessions and the audit trail (SC.SSI/IAM.91, IAM.92,
 * IE.39). The audit table is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, so even a bug or a
 * hand-typed statement through the application's own connection cannot rewrite history.
 *
 * Frozen in time: never imports application code.
 */
const roles = ['admin', 'operator', 'auditor'];
const results = ['success', 'failure'];

function oneOf(column: string, values: readonly string[]): RawBuilder<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_at', 'timestamptz')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_confirmed_at', 'timestamptz')
    .addColumn('totp_last_step', 'bigint')
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('account_role_check', oneOf('role', roles))
    .addCheckConstraint('account_login_check', sql`login ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'`)
    .execute();
  await db.schema.createIndex('account_login_key').on('account').column('login').unique().execute();

  await db.schema
    .createTable('password_history')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('set_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_history_account_idx').on('password_history').columns(['account_id', 'id']).execute();

  await db.schema
    .createTable('session')
    // SHA-256 of the random session id: a leaked table gives no usable cookie.
    .addColumn('id_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('second_factor', 'boolean', (c) => c.notNull())
    .addColumn('source_ip', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoke_reason', 'text')
    .execute();
  await db.schema.createIndex('session_account_idx').on('session').column('account_id').where(sql<boolean>`revoked_at is null`).execute();

  await db.schema
    .createTable('audit')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('source_ip', 'text')
    .addCheckConstraint('audit_result_check', oneOf('result', results))
    .addCheckConstraint('audit_operation_check', sql`operation ~ '^[a-z][a-z0-9_.]{0,63}$'`)
    .execute();
  await db.schema.createIndex('audit_at_idx').on('audit').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_actor_idx').on('audit').columns(['actor', 'at']).execute();
  await db.schema.createIndex('audit_target_idx').on('audit').columns(['target', 'at']).execute();

  await sql`
    create function audit_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit trail is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`create trigger audit_no_update_delete before update or delete on audit for each row execute function audit_append_only()`.execute(db);
  await sql`create trigger audit_no_truncate before truncate on audit for each statement execute function audit_append_only()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit').execute();
  await sql`drop function audit_append_only()`.execute(db);
  await db.schema.dropTable('session').execute();
  await db.schema.dropTable('password_history').execute();
  await db.schema.dropTable('account').execute();
}
