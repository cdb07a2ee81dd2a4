// Test helper: TLS certificates made at test time with the openssl CLI (nothing is committed): a CA, a
// server certificate for 127.0.0.1 and localhost, client certificates signed by the CA, and a
// self-signed client certificate. Each comes as PEM (`cert`, `key`) with its DER's SHA-256 in
// base64url (`x5t`, what a certificate-bound token's `cnf.x5t#S256` says, RFC 8705 §3.1) and in hex
// (`sha256Hex`, what Cloudflare's `tlsClientAuth.certFingerprintSHA256` says).
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../worker/testkit/harness.mjs';

function openssl(dir, args) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function read(dir, name) {
  const cert = readFileSync(join(dir, `${name}.crt`), 'utf8');
  const der = new X509Certificate(cert).raw;
  return {
    cert,
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    x5t: createHash('sha256').update(der).digest('base64url'),
    sha256Hex: createHash('sha256').update(der).digest('hex'),
  };
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * @param {string[]} clients names of CA-signed client certificates
 * @param {string[]} [selfSigned] names of self-signed client certificates
 * @returns {{ ca: string, server: { cert, key }, [name: string]: { cert, key, x5t, sha256Hex } }}
 */
export function makeCertificates(clients, selfSigned = []) {
  const dir = scratchDir('jwtward-certs-');
  openssl(dir, ['req', '-x509', ...KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=jwtward test CA (TEST ONLY)']);
  const signed = (name, subject, extensions) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`]);
    return read(dir, name);
  };
  const out = {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    server: signed('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
  };
  for (const name of clients) out[name] = signed(name, `/CN=${name}`, 'extendedKeyUsage=clientAuth\n');
  for (const name of selfSigned) {
    openssl(dir, ['req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=${name}`]);
    out[name] = read(dir, name);
  }
  return out;
}
