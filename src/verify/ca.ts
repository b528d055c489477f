// A throwaway certificate authority for one verify run: a CA certificate (PEM, written into the
// throwaway codex home) and leaf certificates minted per host on first use. Keys come from Node's
// crypto (fast, native); node-forge builds and signs the X.509 structures.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import forge from 'node-forge';

export interface RunCa {
  /** The CA certificate, PEM. */
  certPem: string;
  /** A TLS context serving a leaf certificate for `host` (cached per host). */
  contextFor(host: string): tls.SecureContext;
}

const DAY = 24 * 60 * 60 * 1000;

function rsaKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY);
  cert.validity.notAfter = new Date(now + 7 * DAY);
}

/** Create the CA for a run. `name` goes into the subject so a stray certificate says where it came from. */
export function createRunCa(name = 'codex-mitm verify (throwaway)'): RunCa {
  const caKeys = rsaKeys();
  const caKey = forge.pki.privateKeyFromPem(caKeys.privatePem);
  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.publicKeyFromPem(caKeys.publicPem);
  ca.serialNumber = serial();
  validity(ca);
  const caSubject = [
    { name: 'commonName', value: name },
    { name: 'organizationName', value: 'codex-mitm' },
  ];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(ca);
  const caKeyId = ca.generateSubjectKeyIdentifier().getBytes();

  // One key pair for every leaf of this run: minting stays cheap.
  const leafKeys = rsaKeys();
  const leafPublic = forge.pki.publicKeyFromPem(leafKeys.publicPem);
  const contexts = new Map<string, tls.SecureContext>();

  const contextFor = (host: string): tls.SecureContext => {
    const key = host.toLowerCase();
    const cached = contexts.get(key);
    if (cached) return cached;
    const leaf = forge.pki.createCertificate();
    leaf.publicKey = leafPublic;
    leaf.serialNumber = serial();
    validity(leaf);
    leaf.setSubject([{ name: 'commonName', value: key.slice(0, 64) }]);
    leaf.setIssuer(caSubject);
    const altName = isIP(key) ? { type: 7, ip: key } : { type: 2, value: key };
    leaf.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [altName] },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId },
    ]);
    leaf.sign(caKey, forge.md.sha256.create());
    const context = tls.createSecureContext({
      key: leafKeys.privatePem,
      cert: forge.pki.certificateToPem(leaf) + certPem,
    });
    contexts.set(key, context);
    return context;
  };

  return { certPem, contextFor };
}
