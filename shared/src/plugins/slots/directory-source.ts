import { Type } from '@sinclair/typebox';

/** The tenant's built-in user directory (the default claims source and password authenticator). */
export const DirectorySource = Type.Object({ type: Type.Literal('directory') }, { additionalProperties: false });
