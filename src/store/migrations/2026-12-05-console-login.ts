import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Console login by an establishment's identity provider (OpenID Connect, e.g. Pro Santé Connect) and the
 * separate second-factor step:
 * - an account may be linked to one identity of the provider (`oidc_id`, e.g. the RPPS number PSC gives),
 *   and an account that only signs in through the provider has no local password;
 * - a session row may be a login halfway through (password given, TOTP code awaited): it never authorizes
 *   a request, it only lets the code step find the account.
 *
 * Frozen in time: never imports application code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('account').addColumn('oidc_id', 'text').execute();
  await db.schema.alterTable('account').alterColumn('password_hash', (c) => c.dropNotNull()).execute();
  await db.schema.alterTable('account')
    .addCheckConstraint('account_can_sign_in_check', sql`password_hash is not null or oidc_id is not null`).execute();
  await db.schema.alterTable('account')
    .addCheckConstraint('account_oidc_id_check', sql`oidc_id is null or (length(oidc_id) between 1 and 255)`).execute();
  await db.schema.createIndex('account_oidc_id_key').on('account').column('oidc_id').unique().where(sql<boolean>`oidc_id is not null`).execute();
  await db.schema.alterTable('session').addColumn('awaiting_second_factor', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session').dropColumn('awaiting_second_factor').execute();
  await db.schema.dropIndex('account_oidc_id_key').execute();
  await db.schema.alterTable('account').dropConstraint('account_oidc_id_check').execute();
  await db.schema.alterTable('account').dropConstraint('account_can_sign_in_check').execute();
  await db.deleteFrom('account').where('password_hash', 'is', null).execute();
  await db.schema.alterTable('account').alterColumn('password_hash', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('account').dropColumn('oidc_id').execute();
}
