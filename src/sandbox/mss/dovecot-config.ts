import { tls12CipherSuites } from '../../pki/index.js';
import type { MssMailbox } from './mailboxes.js';

export interface DovecotLayout {
  instanceName: string;
  baseDir: string;
  stateDir: string;
  logFile: string;
  imapPort: number;
  certFile: string;
  keyFile: string;
  caFile: string;
  dhFile: string;
  usersFile: string;
  mailRoot: string;
  /** The uid and gid that own the mailboxes (Dovecot refuses root for mail access). */
  mailUid: number;
  mailGid: number;
  /** Names of the sockets under baseDir. */
  lmtpSocketName: string;
  saslSocketName: string;
  weak: boolean;
}

/** dovecot.conf: IMAP with STARTTLS and a client certificate, PLAIN against a passwd-file, LMTP for Postfix. */
export function dovecotConf(l: DovecotLayout): string {
  const ciphers = l.weak ? 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' : tls12CipherSuites.map((s) => s.openssl).join(':');
  return `# Relais MSSanté operator stand-in (TEST)
instance_name = ${l.instanceName}
base_dir = ${l.baseDir}
state_dir = ${l.stateDir}
log_path = ${l.logFile}
protocols = imap lmtp
listen = 127.0.0.1
import_environment = TZ OPENSSL_CONF
shutdown_clients = yes

ssl = required
ssl_cert = <${l.certFile}
ssl_key = <${l.keyFile}
ssl_ca = <${l.caFile}
ssl_dh = <${l.dhFile}
ssl_verify_client_cert = yes
ssl_require_crl = no
ssl_min_protocol = TLSv1.2
ssl_cipher_list = ${ciphers}
ssl_curve_list = P-256:P-384
ssl_prefer_server_ciphers = yes

disable_plaintext_auth = yes
auth_mechanisms = plain
auth_username_format = %Lu
# IMAP logins need a valid client certificate (%{cert} = "valid"), checked here rather than with
# auth_ssl_require_client_cert, which would also refuse Postfix's SASL requests: smtpd checks the certificate
# itself and does not pass it on. users.imap is empty, so IMAP without a valid certificate never authenticates.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu ${l.usersFile}.%s%{cert}
}
userdb {
  driver = passwd-file
  args = username_format=%Lu ${l.usersFile}
}

first_valid_uid = ${l.mailUid}
first_valid_gid = ${l.mailGid}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
lmtp_save_to_detail_mailbox = no
recipient_delimiter =

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${l.imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  unix_listener ${l.lmtpSocketName} {
    mode = 0666
  }
}
# Tests fail logins on purpose, all from 127.0.0.1: no growing per-IP penalty (its anvil socket is not
# created) and no failure delay, so that later logins are not slowed down.
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener ${l.saslSocketName} {
    mode = 0666
  }
}
`;
}

/** passwd-file lines: `user:{PLAIN}password:uid:gid::home::`. */
export function dovecotUsers(mailboxes: readonly MssMailbox[], l: Pick<DovecotLayout, 'mailRoot' | 'mailUid' | 'mailGid'>): string {
  return mailboxes.map((m) => {
    const [local, domain] = m.address.split('@');
    return `${m.login}:{PLAIN}${m.password}:${l.mailUid}:${l.mailGid}::${l.mailRoot}/${domain}/${local}::\n`;
  }).join('');
}
