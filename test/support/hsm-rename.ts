/**
 * Run as its own process (the test process already holds the PKCS#11 library):
 *   node --import tsx test/support/hsm-rename.ts <token label> <user PIN> <CKA_ID> <new name>
 * Gives the private key found under CKA_ID another CKA_ID and CKA_LABEL, as a
 * confused or hostile token would present it; prints how many objects changed.
 */
import { createRequire } from 'node:module';
import type * as Pkcs11Types from 'pkcs11js';

const pkcs11js = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11Types;
const [label, pin, id, name] = process.argv.slice(2) as [string, string, string, string];
const lib = new pkcs11js.PKCS11();
lib.load(process.env.PKCS11_MODULE!);
lib.C_Initialize();
try {
  const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.replace(/[\s\u0000]+$/u, '') === label);
  if (!slot) throw new Error(`no token ${label}`);
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  lib.C_Login(session, pkcs11js.CKU_USER, pin);
  lib.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(id) },
  ]);
  const handles = lib.C_FindObjects(session, 10);
  lib.C_FindObjectsFinal(session);
  for (const handle of handles)
    lib.C_SetAttributeValue(session, handle, [
      { type: pkcs11js.CKA_ID, value: Buffer.from(name) },
      { type: pkcs11js.CKA_LABEL, value: name },
    ]);
  console.log(JSON.stringify({ renamed: handles.length }));
} finally {
  lib.C_Finalize();
}
