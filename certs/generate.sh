#!/usr/bin/env bash
# Creates, when missing, the project's development TLS material in certs/generated/:
#   ca.p12 + ca.pem          a local development CA (EC P-256), its key never leaves this folder
#   relay.p12                the relay's key and certificate (SAN localhost, 127.0.0.1, ::1),
#                            signed by the CA: the PKCS12 keystore Payara Micro uses
#   truststore.p12           only the project's CA, for Java clients (and for the relay, to check
#                            client certificates when mutual TLS is on)
#   bank-client.p12,         client certificates for mutual TLS (CN=bank, CN=customer; EC P-256,
#   customer-client.p12      extendedKeyUsage clientAuth), signed by the CA
#   *.pass                   random passwords of the stores above (owner-only files)
#   relay-jvm.args           JVM @argfile with the keystore settings, so no password shows in `ps`
#   relay-mtls-jvm.args      JVM @argfile with the truststore settings, used only with RELAY_MTLS=1
#   redis-cert.pem,          the certificate (SAN localhost, 127.0.0.1, ::1; signed by the CA) and
#   redis-key.pem            the unencrypted key (owner-only) of the cluster's Redis (TLS only);
#                            the key is exported from redis.p12 with openssl, the one tool needed
#                            besides keytool (Redis reads PEM files only)
# Idempotent: existing material is kept; material that cannot be completed without replacing
# something is refused with an explanation, never overwritten. Needs only a JDK (keytool).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${CERTS_DIR:-"$here/generated"}
days_ca=3650
days_leaf=825
alias_relay=relay

keytool_bin=${JAVA_HOME:+$JAVA_HOME/bin/}keytool
command -v "$keytool_bin" >/dev/null || { echo "certs: keytool not found: install a JDK 17 (or set JAVA_HOME)" >&2; exit 1; }

umask 077
mkdir -p "$out"
chmod 700 "$out"

say() { echo "certs: $*"; }
die() { echo "certs: $*" >&2; exit 1; }
newpass() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32; }
kt() { "$keytool_bin" "$@" 2>&1 | grep -v -e '^Warning' -e '^The JKS keystore' -e '^Certificate was added' \
  -e '^Generating ' -e '^[[:space:]]*for: ' -e '^Certificate reply was installed' -e '^$' || true; }

ca_p12=$out/ca.p12 ca_pem=$out/ca.pem ca_pass=$out/ca.pass
relay_p12=$out/relay.p12 relay_pass=$out/relay.pass
trust_p12=$out/truststore.p12 trust_pass=$out/truststore.pass
jvm_args=$out/relay-jvm.args

# --- the CA -------------------------------------------------------------------------------
if [[ -f $ca_p12 ]]; then
  [[ -f $ca_pass ]] || die "$ca_p12 exists but its password file $ca_pass is missing; refusing to guess. Move $out aside to start over."
else
  if [[ -f $relay_p12 || -f $trust_p12 || -f $out/bank-client.p12 || -f $out/customer-client.p12 ]]; then
    die "the CA ($ca_p12) is missing but certificates it signed are present; refusing to replace them. Move $out aside to start over."
  fi
  newpass > "$ca_pass"
  kt -genkeypair -alias ca -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
     -dname "CN=secure-relay development CA, O=secure-relay" \
     -ext bc:c=ca:true,pathlen:0 -ext ku:c=keyCertSign,cRLSign \
     -validity "$days_ca" -keystore "$ca_p12" -storetype PKCS12 -storepass:file "$ca_pass"
  say "created development CA $ca_p12"
fi
if [[ ! -f $ca_pem ]]; then
  kt -exportcert -rfc -alias ca -keystore "$ca_p12" -storepass:file "$ca_pass" -file "$ca_pem"
  chmod 644 "$ca_pem"
fi

# --- the relay's keystore -----------------------------------------------------------------
if [[ -f $relay_p12 ]]; then
  [[ -f $relay_pass ]] || die "$relay_p12 exists but its password file $relay_pass is missing; refusing to replace it. Move $out aside to start over."
else
  newpass > "$relay_pass"
  tmp=$(mktemp -d "$out/.relay.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  kt -genkeypair -alias "$alias_relay" -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
     -dname "CN=localhost, O=secure-relay" -validity "$days_leaf" \
     -keystore "$tmp/relay.p12" -storetype PKCS12 -storepass:file "$relay_pass"
  kt -certreq -alias "$alias_relay" -keystore "$tmp/relay.p12" -storepass:file "$relay_pass" -file "$tmp/relay.csr"
  kt -gencert -rfc -alias ca -keystore "$ca_p12" -storepass:file "$ca_pass" \
     -infile "$tmp/relay.csr" -outfile "$tmp/relay.crt" -validity "$days_leaf" -sigalg SHA256withECDSA \
     -ext "san=dns:localhost,ip:127.0.0.1,ip:::1" -ext ku:c=digitalSignature -ext eku=serverAuth
  kt -importcert -noprompt -alias ca -file "$ca_pem" -keystore "$tmp/relay.p12" -storepass:file "$relay_pass"
  kt -importcert -noprompt -alias "$alias_relay" -file "$tmp/relay.crt" -keystore "$tmp/relay.p12" -storepass:file "$relay_pass"
  mv "$tmp/relay.p12" "$relay_p12"
  say "created relay keystore $relay_p12 (alias $alias_relay, SAN localhost, 127.0.0.1, ::1)"
fi

# --- the clients' truststore --------------------------------------------------------------
if [[ ! -f $trust_p12 ]]; then
  [[ -f $trust_pass ]] || newpass > "$trust_pass"
  kt -importcert -noprompt -alias secure-relay-ca -file "$ca_pem" \
     -keystore "$trust_p12" -storetype PKCS12 -storepass:file "$trust_pass"
  say "created truststore $trust_p12 (the project's CA only)"
fi

# --- client certificates for mutual TLS (off by default; RELAY_MTLS=1 ./secure-relay relay) ---
for who in bank customer; do
  p12=$out/$who-client.p12 pass=$out/$who-client.pass
  if [[ -f $p12 ]]; then
    [[ -f $pass ]] || die "$p12 exists but its password file $pass is missing; refusing to replace it. Move $out aside to start over."
    continue
  fi
  newpass > "$pass"
  tmp_client=$(mktemp -d "$out/.$who.XXXXXX")
  kt -genkeypair -alias "$who" -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
     -dname "CN=$who, O=secure-relay" -validity "$days_leaf" \
     -keystore "$tmp_client/$who.p12" -storetype PKCS12 -storepass:file "$pass"
  kt -certreq -alias "$who" -keystore "$tmp_client/$who.p12" -storepass:file "$pass" -file "$tmp_client/$who.csr"
  kt -gencert -rfc -alias ca -keystore "$ca_p12" -storepass:file "$ca_pass" \
     -infile "$tmp_client/$who.csr" -outfile "$tmp_client/$who.crt" -validity "$days_leaf" -sigalg SHA256withECDSA \
     -ext ku:c=digitalSignature -ext eku=clientAuth
  kt -importcert -noprompt -alias ca -file "$ca_pem" -keystore "$tmp_client/$who.p12" -storepass:file "$pass"
  kt -importcert -noprompt -alias "$who" -file "$tmp_client/$who.crt" -keystore "$tmp_client/$who.p12" -storepass:file "$pass"
  mv "$tmp_client/$who.p12" "$p12"
  rm -rf "$tmp_client"
  say "created client certificate $p12 (CN=$who, for mutual TLS)"
done

# --- the cluster's Redis (./secure-relay cluster N): PEM files, since redis-server reads no PKCS12 ---
redis_p12=$out/redis.p12 redis_pass=$out/redis.pass
if [[ ! -f $out/redis-cert.pem || ! -f $out/redis-key.pem ]]; then
  command -v openssl >/dev/null || die "openssl not found: it exports the Redis key to PEM (apt-get install openssl)"
  if [[ ! -f $redis_p12 ]]; then
    newpass > "$redis_pass"
    tmp_redis=$(mktemp -d "$out/.redis.XXXXXX")
    kt -genkeypair -alias redis -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
       -dname "CN=localhost, O=secure-relay redis" -validity "$days_leaf" \
       -keystore "$tmp_redis/redis.p12" -storetype PKCS12 -storepass:file "$redis_pass"
    kt -certreq -alias redis -keystore "$tmp_redis/redis.p12" -storepass:file "$redis_pass" -file "$tmp_redis/redis.csr"
    kt -gencert -rfc -alias ca -keystore "$ca_p12" -storepass:file "$ca_pass" \
       -infile "$tmp_redis/redis.csr" -outfile "$tmp_redis/redis.crt" -validity "$days_leaf" -sigalg SHA256withECDSA \
       -ext "san=dns:localhost,ip:127.0.0.1,ip:::1" -ext ku:c=digitalSignature -ext eku=serverAuth
    kt -importcert -noprompt -alias ca -file "$ca_pem" -keystore "$tmp_redis/redis.p12" -storepass:file "$redis_pass"
    kt -importcert -noprompt -alias redis -file "$tmp_redis/redis.crt" -keystore "$tmp_redis/redis.p12" -storepass:file "$redis_pass"
    mv "$tmp_redis/redis.p12" "$redis_p12"
    rm -rf "$tmp_redis"
  fi
  [[ -f $redis_pass ]] || die "$redis_p12 exists but its password file $redis_pass is missing; refusing to replace it. Move $out aside to start over."
  openssl pkcs12 -in "$redis_p12" -passin "file:$redis_pass" -nokeys -clcerts 2>/dev/null \
    | openssl x509 -out "$out/redis-cert.pem" || die "could not export the Redis certificate from $redis_p12"
  openssl pkcs12 -in "$redis_p12" -passin "file:$redis_pass" -nocerts -nodes 2>/dev/null \
    | openssl pkey -out "$out/redis-key.pem" || die "could not export the Redis key from $redis_p12"
  chmod 644 "$out/redis-cert.pem"
  chmod 600 "$out/redis-key.pem"
  say "created the Redis certificate $out/redis-cert.pem (SAN localhost, 127.0.0.1, ::1) and its key redis-key.pem"
fi

# --- JVM options for Payara Micro (an @argfile keeps the password off the command line) ----
if [[ ! -f $jvm_args || $jvm_args -ot $relay_pass ]]; then
  {
    echo "-Djavax.net.ssl.keyStore=$relay_p12"
    echo "-Djavax.net.ssl.keyStoreType=PKCS12"
    echo "-Djavax.net.ssl.keyStorePassword=$(cat "$relay_pass")"
  } > "$jvm_args"
fi

# The relay's truststore for client certificates, used only with mutual TLS: as JVM-wide
# javax.net.ssl.trustStore it would replace Payara's default (cacerts) for any outbound TLS too.
mtls_args=$out/relay-mtls-jvm.args
if [[ ! -f $mtls_args || $mtls_args -ot $trust_pass ]]; then
  {
    echo "-Djavax.net.ssl.trustStore=$trust_p12"
    echo "-Djavax.net.ssl.trustStoreType=PKCS12"
    echo "-Djavax.net.ssl.trustStorePassword=$(cat "$trust_pass")"
  } > "$mtls_args"
fi

say "TLS material ready in $out"
