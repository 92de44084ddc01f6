import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from './exec.js';

export interface ControlPlanePki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const OPENSSL_TIMEOUT_MS = 30_000;

function openssl(args: string[], cwd: string): Promise<string> {
  return exec('openssl', args, { cwd, timeoutMs: OPENSSL_TIMEOUT_MS });
}

/**
 * A throw-away CA, a serving certificate for 127.0.0.1/localhost, an admin client certificate in
 * system:masters, and the service-account signing key pair that TokenRequest needs.
 */
export async function generatePki(dir: string): Promise<ControlPlanePki> {
  const path = (file: string): string => join(dir, file);
  const key = (file: string): Promise<string> =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], dir);

  await key('ca.key');
  await openssl(
    ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=rig-ca', '-days', '30', '-out', 'ca.crt'],
    dir,
  );

  await writeFile(
    path('serving.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n',
  );
  await writeFile(
    path('client.ext'),
    'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n',
  );
  const signed = async (name: string, subject: string, ext: string): Promise<void> => {
    await key(`${name}.key`);
    await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '30',
        '-extfile',
        ext,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
  };
  await signed('serving', '/CN=kube-apiserver', 'serving.ext');
  await signed('admin', '/O=system:masters/CN=rig-admin', 'client.ext');

  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
  await openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);

  return {
    caCert: path('ca.crt'),
    servingCert: path('serving.crt'),
    servingKey: path('serving.key'),
    adminCert: path('admin.crt'),
    adminKey: path('admin.key'),
    serviceAccountKey: path('sa.key'),
    serviceAccountPub: path('sa.pub'),
  };
}
