#!/usr/bin/env bash
# Real mail servers for the e-mail channel's tests: Debian's dovecot (IMAP on
# 127.0.0.1:10143, user koperasi@test.local / rahasia-mail) and aiosmtpd from PyPI (SMTP
# on 127.0.0.1:10025) delivering every message it receives into that user's Maildir.
# Safe to run again: servers already listening are left alone.
# Needs: apt-get install dovecot-imapd; pip install aiosmtpd.
set -euo pipefail
DIR="${GUYUB_MAIL_DIR:-/tmp/guyub-mail}"
USER_NAME="koperasi@test.local"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
mkdir -p "$DIR/run" "$DIR/state" "$DIR/home/$USER_NAME/Maildir"/{cur,new,tmp}
if ! listening 10143; then
  echo "$USER_NAME:{PLAIN}rahasia-mail" > "$DIR/users"
  cat > "$DIR/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$DIR/home/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = 1
first_valid_gid = 1
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 10143
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
CONF
  chown -R dovecot:dovecot "$DIR/home"
  chmod 755 "$DIR" "$DIR/home"
  dovecot -c "$DIR/dovecot.conf"
fi
if ! listening 10025; then
  # aiosmtpd's Mailbox handler writes each message into a Maildir; dovecot serves it.
  nohup python3 -m aiosmtpd -n -l 127.0.0.1:10025 \
    -c aiosmtpd.handlers.Mailbox "$DIR/home/$USER_NAME/Maildir" > "$DIR/smtp.log" 2>&1 &
fi
for _ in $(seq 1 50); do listening 10143 && listening 10025 && break; sleep 0.1; done
listening 10143 && listening 10025 || { echo "mail servers did not start; see $DIR/*.log" >&2; exit 1; }
# New mail written by aiosmtpd (root) must be readable by dovecot's user.
chmod -R a+rwX "$DIR/home"
echo "IMAP 127.0.0.1:10143, SMTP 127.0.0.1:10025, user $USER_NAME"
