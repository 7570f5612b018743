/**
 * Run as its own process (the test process already holds the PKCS#11 library):
 *   node --import tsx test/support/hsm-inspect.ts <token label> <user PIN> <kid>
 * Prints the private key's protection attributes, and what reading CKA_VALUE did.
 */
import { createRequire } from 'node:module';
import type * as Pkcs11Types from 'pkcs11js';

const pkcs11js = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11Types;
const [label, pin, kid] = process.argv.slice(2) as [string, string, string];
const lib = new pkcs11js.PKCS11();
lib.load(process.env.PKCS11_MODULE!);
lib.C_Initialize();
try {
  const labels = lib
    .C_GetSlotList(true)
    .map((slot) => ({ slot, label: lib.C_GetTokenInfo(slot).label.replace(/[\s\u0000]+$/u, '') }));
  const slot = labels.find((s) => s.label === label)?.slot;
  if (!slot) throw new Error(`no token ${label}`);
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  lib.C_Login(session, pkcs11js.CKU_USER, pin);
  lib.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(kid) },
  ]);
  const handle = lib.C_FindObjects(session);
  lib.C_FindObjectsFinal(session);
  if (!handle) throw new Error(`no private key ${kid}`);
  const flag = (type: number) => (lib.C_GetAttributeValue(session, handle, [{ type }])[0]!.value as Buffer)[0] === 1;
  let value: string;
  try {
    const got = lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]);
    value = `read ${(got[0]?.value as Buffer | undefined)?.length ?? 0} bytes`;
  } catch (err) {
    value = `refused: ${(err as Error).message}`;
  }
  let exponent: string;
  try {
    lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_PRIVATE_EXPONENT }]);
    exponent = 'read';
  } catch (err) {
    exponent = `refused: ${(err as Error).message}`;
  }
  console.log(
    JSON.stringify({
      tokens: labels.map((l) => l.label).filter((l) => l.length > 0),
      sensitive: flag(pkcs11js.CKA_SENSITIVE),
      extractable: flag(pkcs11js.CKA_EXTRACTABLE),
      alwaysSensitive: flag(pkcs11js.CKA_ALWAYS_SENSITIVE),
      neverExtractable: flag(pkcs11js.CKA_NEVER_EXTRACTABLE),
      value,
      exponent,
    }),
  );
} finally {
  lib.C_Finalize();
}
