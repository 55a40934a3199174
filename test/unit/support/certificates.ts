/**
 * Self-signed certificates for tests of HTTPS clients, made by the real openssl (a team
 * server's trial certificate is made the same way), with the fingerprint openssl prints.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
  /** `openssl x509 -fingerprint -sha256`: colon-separated upper-case hex. */
  readonly fingerprint: string;
}

/** A self-signed certificate for `names` (subjectAltName entries such as `IP:127.0.0.1`), valid two days. */
export function selfSignedCertificate(folder: string, label: string, names: readonly string[] = ['IP:127.0.0.1']): TestCertificate {
  const certPath = join(folder, `${label}.crt`);
  const keyPath = join(folder, `${label}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${label}`, '-addext', `subjectAltName=${names.join(',')}`], { stdio: 'pipe' });
  const printed = execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  const fingerprint = /=([0-9A-F:]+)/.exec(printed)?.[1];
  if (!fingerprint) throw new Error(`openssl printed no fingerprint: ${printed}`);
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), fingerprint };
}
