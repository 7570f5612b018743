/** A setting of the example from the environment, else `fallback`; without either the example stops and says what to set. */
export const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`set ${name} (see docs/quickstarts.md)`);
  return value;
};
