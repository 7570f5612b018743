import { readFileSync } from 'node:fs';
import { CliError, EXIT } from './exit-codes.ts';

/** A JSON file named on the command line; unreadable is a usage error, malformed is a problem at `$`. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`, EXIT.usage);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path} is not valid JSON`, EXIT.refused, [`$: ${(e as Error).message}`]);
  }
}
