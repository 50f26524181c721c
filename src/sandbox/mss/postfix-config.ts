import { dirname } from 'node:path';
import { tls12CipherSuites } from '../../pki/index.js';
import type { MssMailbox } from './mailboxes.js';

export interface PostfixLayout {
  configDir: string;
  queueDir: string;
  dataDir: string;
  logFile: string;
  smtpPort: number;
  certFile: string;
  keyFile: string;
  caFile: string;
  dhFile: string;
  /** Dovecot's auth socket for SASL PLAIN. */
  saslSocket: string;
  /** Dovecot's LMTP socket, where every local domain is delivered. */
  lmtpSocket: string;
  senderLoginMap: string;
  recipientMap: string;
  domains: readonly string[];
  messageSizeLimit: number;
  /** Refuse unknown recipients at RCPT (5xx to the client) instead of accepting and bouncing a DSN. */
  rejectUnknownAtRcpt: boolean;
  /** Offer only a DHE suite with a 1024-bit group over TLS 1.2. */
  weak: boolean;
}

/** main.cf: a submission-only server on loopback; STARTTLS with a client certificate, then SASL PLAIN (digest §A2, §A3). */
export function postfixMainCf(l: PostfixLayout): string {
  const ciphers = l.weak ? 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' : tls12CipherSuites.map((s) => s.openssl).join(':');
  const protocols = l.weak ? '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1, !TLSv1.3' : '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1';
  const settings: [string, string | number][] = [
    ['compatibility_level', '3.6'],
    ['queue_directory', l.queueDir],
    ['data_directory', l.dataDir],
    ['mail_owner', 'postfix'],
    ['setgid_group', 'postdrop'],
    ['maillog_file', l.logFile],
    // Postfix writes its log only under the listed prefixes (/var by default).
    ['maillog_file_prefixes', dirname(l.logFile)],
    ['inet_interfaces', '127.0.0.1'],
    ['inet_protocols', 'ipv4'],
    ['myhostname', 'mss.relais.test'],
    ['mydomain', 'relais.test'],
    ['mydestination', ''],
    ['mynetworks', '127.0.0.1/32'],
    ['relayhost', ''],
    ['alias_maps', ''],
    ['alias_database', ''],
    ['local_recipient_maps', ''],
    ['biff', 'no'],
    ['append_dot_mydomain', 'no'],
    ['readme_directory', 'no'],
    ['smtp_dns_support_level', 'disabled'],
    ['smtpd_banner', '$myhostname ESMTP Relais MSSanté operator stand-in (TEST)'],
    ['message_size_limit', l.messageSizeLimit],
    ['mailbox_size_limit', 0],
    ['virtual_mailbox_domains', l.domains.join(' ')],
    ['virtual_mailbox_maps', l.rejectUnknownAtRcpt ? `texthash:${l.recipientMap}` : ''],
    ['smtpd_reject_unlisted_recipient', l.rejectUnknownAtRcpt ? 'yes' : 'no'],
    ['virtual_transport', `lmtp:unix:${l.lmtpSocket}`],
    // Nothing is relayed: only the local domains are accepted, and only from an authenticated mailbox sending as itself.
    ['smtpd_relay_restrictions', 'reject_unauth_destination'],
    ['smtpd_recipient_restrictions', 'permit_sasl_authenticated, reject'],
    ['smtpd_sender_login_maps', `texthash:${l.senderLoginMap}`],
    ['smtpd_sender_restrictions', 'reject_sender_login_mismatch'],
    ['smtpd_sasl_auth_enable', 'yes'],
    ['smtpd_sasl_type', 'dovecot'],
    ['smtpd_sasl_path', l.saslSocket],
    ['smtpd_sasl_security_options', 'noanonymous'],
    ['smtpd_sasl_tls_security_options', 'noanonymous'],
    ['smtpd_tls_security_level', 'encrypt'],
    ['smtpd_tls_auth_only', 'yes'],
    ['smtpd_tls_cert_file', l.certFile],
    ['smtpd_tls_key_file', l.keyFile],
    ['smtpd_tls_CAfile', l.caFile],
    ['smtpd_tls_ask_ccert', 'yes'],
    ['smtpd_tls_req_ccert', 'yes'],
    ['smtpd_tls_ccert_verifydepth', 3],
    ['smtpd_tls_protocols', protocols],
    ['smtpd_tls_mandatory_protocols', protocols],
    ['smtpd_tls_ciphers', 'high'],
    ['smtpd_tls_mandatory_ciphers', 'high'],
    ['tls_high_cipherlist', ciphers],
    ['tls_preempt_cipherlist', 'yes'],
    ['smtpd_tls_dh1024_param_file', l.dhFile],
    ['tls_eecdh_auto_curves', 'prime256v1 secp384r1'],
    ['smtpd_tls_loglevel', 1],
    ['smtpd_tls_received_header', 'yes'],
    ['smtpd_tls_session_cache_database', ''],
  ];
  return settings.map(([k, v]) => `${k} = ${v}`).join('\n') + '\n';
}

/** master.cf: the submission listener and the internal services, none chrooted (the queue is a temporary directory). */
export function postfixMasterCf(l: Pick<PostfixLayout, 'smtpPort'>): string {
  const services: string[][] = [
    [`127.0.0.1:${l.smtpPort}`, 'inet', 'n', '-', 'n', '-', '-', 'smtpd'],
    ['cleanup', 'unix', 'n', '-', 'n', '-', '0', 'cleanup'],
    ['qmgr', 'unix', 'n', '-', 'n', '300', '1', 'qmgr'],
    ['tlsmgr', 'unix', '-', '-', 'n', '1000?', '1', 'tlsmgr'],
    ['rewrite', 'unix', '-', '-', 'n', '-', '-', 'trivial-rewrite'],
    ['bounce', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
    ['defer', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
    ['trace', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
    ['verify', 'unix', '-', '-', 'n', '-', '1', 'verify'],
    ['flush', 'unix', 'n', '-', 'n', '1000?', '0', 'flush'],
    ['proxymap', 'unix', '-', '-', 'n', '-', '-', 'proxymap'],
    ['showq', 'unix', 'n', '-', 'n', '-', '-', 'showq'],
    ['error', 'unix', '-', '-', 'n', '-', '-', 'error'],
    ['retry', 'unix', '-', '-', 'n', '-', '-', 'error'],
    ['discard', 'unix', '-', '-', 'n', '-', '-', 'discard'],
    ['smtp', 'unix', '-', '-', 'n', '-', '-', 'smtp'],
    ['relay', 'unix', '-', '-', 'n', '-', '-', 'smtp'],
    ['lmtp', 'unix', '-', '-', 'n', '-', '-', 'lmtp'],
    ['anvil', 'unix', '-', '-', 'n', '-', '1', 'anvil'],
    ['scache', 'unix', '-', '-', 'n', '-', '1', 'scache'],
    ['postlog', 'unix-dgram', 'n', '-', 'n', '-', '1', 'postlogd'],
  ];
  return services.map((s) => s.join('  ')).join('\n') + '\n';
}

/** texthash tables: each mailbox may send only as itself; the list of known recipients. */
export function senderLoginMap(mailboxes: readonly MssMailbox[]): string {
  return mailboxes.map((m) => `${m.address} ${m.login}\n`).join('');
}

export function recipientMap(mailboxes: readonly MssMailbox[]): string {
  return mailboxes.map((m) => `${m.address} OK\n`).join('');
}
